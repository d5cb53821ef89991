import type { DispatchContext } from './context.js';
import { describe, isClass, nameOf } from './describe.js';
import type { AnyHandler, HandlerFactory, HandlerFunction, HandlerObject } from './handler.js';

/** How a route calls its handler, decided once when the handler is attached. */
export const HandlerKind = { function: 0, class: 1, object: 2 } as const;

/** A handler classified at attach time so that dispatch does not inspect it again. */
export interface Route {
  readonly kind: (typeof HandlerKind)[keyof typeof HandlerKind];
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
      return { kind: HandlerKind.class, handler: handler as AnyHandler };
    }
    if (Function.prototype.toString.call(handler).startsWith('class')) {
      throw new TypeError(
        `The handler for ${messageName} is ${describe(handler)}, which has no handle(message) method. ` +
          'Add a handle method to the class, or attach a function.',
      );
    }
    return { kind: HandlerKind.function, handler: handler as AnyHandler };
  }
  if (typeof handler === 'object' && handler !== null && typeof (handler as Partial<HandlerObject<never, unknown>>).handle === 'function') {
    return { kind: HandlerKind.object, handler: handler as AnyHandler };
  }
  throw new TypeError(
    `The handler for ${messageName} must be a function, a class with a handle(message) method, ` +
      `or an object with a handle(message) method; got ${describe(handler)}.`,
  );
}

/**
 * Calls a route's handler: a function directly, an object's `handle` with `this` bound to it,
 * a class through `handlerFactory` (once per call, so the factory decides its lifetime).
 *
 * @throws {TypeError} when the factory returns something without a `handle` method.
 */
export function invoke(route: Route, message: object, context: DispatchContext | undefined, handlerFactory: HandlerFactory): unknown {
  switch (route.kind) {
    case HandlerKind.function:
      return (route.handler as HandlerFunction<object, unknown>)(message, context);
    case HandlerKind.object:
      return (route.handler as HandlerObject<object, unknown>).handle(message, context);
    default: {
      const instance = handlerFactory(route.handler as new () => HandlerObject<never, unknown>) as HandlerObject<object, unknown> | undefined;
      if (typeof instance?.handle !== 'function') throw badInstance(route, instance);
      return instance.handle(message, context);
    }
  }
}

function badInstance(route: Route, instance: unknown): TypeError {
  return new TypeError(
    `handlerFactory returned ${describe(instance)} for the handler class ${nameOf(route.handler)}; ` +
      'it must return an instance with a handle(message) method, such as new HandlerClass().',
  );
}
