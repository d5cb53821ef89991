import type { DispatchContext } from './context.js';

/** A function that handles a message and returns its result. */
export type HandlerFunction<M, R> = (message: M, context?: DispatchContext) => R;

/**
 * An object that handles a message in its `handle` method, called with `this` bound to it.
 *
 * `handle` is declared as a property so that its parameter type is checked strictly: a handler
 * of a narrower message type does not type-check as a handler of a wider one.
 */
export interface HandlerObject<M, R> {
  /** Handles the message and returns its result. */
  handle: (message: M, context?: DispatchContext) => R;
}

/**
 * A class whose instances handle a message. The bus builds one through its `handlerFactory`
 * on every dispatch, so the factory (a DI container, say) decides how long an instance lives.
 */
export type HandlerClass<M, R> = abstract new (...args: never[]) => HandlerObject<M, R>;

/** Anything that can handle messages of type `M` with a result of type `R`. */
export type Handler<M, R = unknown> = HandlerFunction<M, R> | HandlerClass<M, R> | HandlerObject<M, R>;

/** A handler of any message, as the router stores it. */
export type AnyHandler = Handler<never>;

/**
 * Builds an instance of a class handler for one dispatch.
 *
 * @default (HandlerClass) => new HandlerClass()
 * @example
 * const bus = new CommandBus({ handlerFactory: (HandlerClass) => new HandlerClass(db) });
 */
export type HandlerFactory = (handlerClass: new (...args: unknown[]) => HandlerObject<never, unknown>) => HandlerObject<never, unknown>;

/** The message type a handler accepts. */
export type MessageOf<H> =
  H extends HandlerFunction<infer M, unknown>
    ? M
    : H extends abstract new (...args: never[]) => HandlerObject<infer M, unknown>
      ? M
      : H extends HandlerObject<infer M, unknown>
        ? M
        : never;

/** The result type a handler returns. */
export type HandlerResultOf<H> =
  H extends HandlerFunction<never, infer R>
    ? R
    : H extends abstract new (...args: never[]) => HandlerObject<never, infer R>
      ? R
      : H extends HandlerObject<never, infer R>
        ? R
        : never;
