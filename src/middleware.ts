import { invalidOption } from './check-option.js';
import type { DispatchContext } from './context.js';

/**
 * Passes a message on to the rest of the pipeline and returns what it returned.
 * Without a `context` argument, the context of the dispatch is passed on unchanged.
 */
export type Next = (message: object, context?: DispatchContext) => unknown;

/**
 * Runs around every dispatch (or publish): code before and after `next`, a different message
 * passed to `next`, a result returned without calling `next`, or the handler's error caught.
 *
 * Whatever the middleware returns is what `dispatch` returns, so a middleware that does not
 * `await` keeps a synchronous handler synchronous.
 *
 * @example
 * const timing: Middleware = async (message, next) => {
 *   const start = performance.now();
 *   try { return await next(message); } finally { log(message, performance.now() - start); }
 * };
 */
export type Middleware = (message: object, next: Next, context: DispatchContext | undefined) => unknown;

/** A composed middleware chain: called with a message and the dispatch's context. */
export type Pipeline = (message: object, context: DispatchContext | undefined) => unknown;

/**
 * Composes middleware around a terminal step, once, when a bus is built. The first middleware
 * is the outermost. A dispatch without a context allocates nothing here; with a context, each
 * layer gets a `next` that carries it on when called without one.
 */
export function compose(middleware: readonly Middleware[], terminal: Pipeline, index = 0): Pipeline {
  const layer = middleware[index];
  if (layer === undefined) return terminal;
  const inner = compose(middleware, terminal, index + 1);
  const carrying =
    (context: DispatchContext): Next =>
    (message, given = context) =>
      inner(message, given);
  return (message, context) => (context === undefined ? layer(message, inner, undefined) : layer(message, carrying(context), context));
}

/**
 * Checks a `middleware` option: an array of functions.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function checkMiddleware(middleware: unknown, owner: string): readonly Middleware[] {
  if (middleware === undefined) return [];
  if (!Array.isArray(middleware) || !middleware.every((layer) => typeof layer === 'function')) {
    throw invalidOption(owner, 'middleware', 'an array of middleware functions', middleware);
  }
  return middleware as readonly Middleware[];
}
