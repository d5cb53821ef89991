import type { DispatchContext } from './context.js';
import { describe, isClass, nameOf } from './describe.js';
import type { AnyHandler, HandlerFactory, HandlerFunction, HandlerObject } from './handler.js';

/** A route whose handler is a function, called directly. */
const FUNCTION_HANDLER = 0;
/** A route whose handler is a class, built through the handler factory on each call. */
const CLASS_HANDLER = 1;
/** A route whose handler is an object, whose `handle` is called with `this` bound to it. */
const OBJECT_HANDLER = 2;

/** A handler classified at attach time so that dispatch does not inspect it again. */
export interface Route {
  /** How the handler is called: 0 function, 1 class, 2 object. */
  readonly kind: typeof FUNCTION_HANDLER | typeof CLASS_HANDLER | typeof OBJECT_HANDLER;
  readonly handler: AnyHandler;
}

/**
 * Classifies a handler: a class whose prototype has `handle`, an object with `handle`, or a
 * plain function.
 *
 * @throws {TypeError} when the handler is none of these, naming what was given.
 */
export function routeTo(handler: unknown, messageName: string): Route {
  if (typeof handler === 'function') {
    if (isClass(handler) && typeof (handler.prototype as Partial<HandlerObject<never, unknown>>).handle === 'function') {
      return { kind: CLASS_HANDLER, handler: handler as AnyHandler };
    }
    if (!String(handler).startsWith('class')) return { kind: FUNCTION_HANDLER, handler: handler as AnyHandler };
  } else if (typeof handler === 'object' && handler !== null && typeof (handler as Partial<HandlerObject<never, unknown>>).handle === 'function') {
    return { kind: OBJECT_HANDLER, handler: handler as AnyHandler };
  }
  throw new TypeError(`The handler for ${messageName} must be a function, or a class or object with a handle(message) method; got ${describe(handler)}.`);
}

/**
 * Calls a route's handler: a function directly, an object's `handle` with `this` bound to it,
 * a class through `handlerFactory` (once per call, so the factory decides its lifetime).
 *
 * @throws {TypeError} when the factory returns something without a `handle` method.
 */
export function invoke(route: Route, message: object, context: DispatchContext | undefined, handlerFactory: HandlerFactory): unknown {
  switch (route.kind) {
    case FUNCTION_HANDLER:
      return (route.handler as HandlerFunction<object, unknown>)(message, context);
    case OBJECT_HANDLER:
      return (route.handler as HandlerObject<object, unknown>).handle(message, context);
    default: {
      const instance = handlerFactory(route.handler as new () => HandlerObject<never, unknown>) as HandlerObject<object, unknown> | undefined;
      if (typeof instance?.handle !== 'function') throw badInstance(route, instance);
      return instance.handle(message, context);
    }
  }
}

function badInstance(route: Route, instance: unknown): TypeError {
  return new TypeError(`handlerFactory must return an instance with a handle(message) method, such as new HandlerClass(); got ${describe(instance)} for ${nameOf(route.handler)}.`);
}
