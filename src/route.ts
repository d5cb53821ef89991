import type { DispatchContext } from './context.js';
import { describe, isClass, nameOf } from './describe.js';
import type { AnyHandler, HandlerFactory, HandlerFunction, HandlerObject } from './handler.js';

/** A route whose handler is a class, built through the handler factory on each call. */
const CLASS_HANDLER = 1;
/** A route whose handler is an object, whose `handle` is called with `this` bound to it. */
const OBJECT_HANDLER = 2;

/**
 * A handler classified at attach time so that dispatch does not inspect it again. A function
 * handler is its own route, so that attaching one allocates nothing and dispatching to it is
 * one check and a call; a class or object handler is wrapped with its kind.
 */
export type Route = HandlerFunction<object, unknown> | { /** 1: a class, 2: an object. */ readonly kind: 1 | 2; readonly handler: AnyHandler };

/** The handler a route was made from, as it was attached. */
export function handlerOf(route: Route): AnyHandler {
  return typeof route === 'function' ? route : route.handler;
}

/**
 * Classifies a handler: a class whose prototype has `handle`, an object with `handle`, or a
 * plain function.
 *
 * @throws {TypeError} when the handler is none of these, naming what was given.
 */
export function routeTo(handler: unknown, messageClass: unknown): Route {
  // An arrow or async function or a method has no prototype, so it cannot be a class: the common
  // case is decided here, in few enough bytes for V8 to inline it into attach.
  return typeof handler === 'function' && !isClass(handler) ? (handler as HandlerFunction<object, unknown>) : classify(handler, messageClass);
}

/** Classifies the rarer handlers: a class, a function with a prototype, an object. */
function classify(handler: unknown, messageClass: unknown): Route {
  if (isClass(handler)) {
    // `in` first: reading a missing handle from one of many prototype objects costs V8 several
    // times what asking whether it is there does.
    const prototype = handler.prototype as Partial<HandlerObject<never, unknown>>;
    if ('handle' in prototype && typeof prototype.handle === 'function') {
      return { kind: CLASS_HANDLER, handler: handler as AnyHandler };
    }
    // A function written with the function keyword has a prototype too. A class's prototype is
    // read-only by the language's definition and a function's writable, so the descriptor tells
    // them apart without stringifying the source (ten times a Map.set per attach). A frozen
    // function looks like a class here, and is refused: attach it before freezing it.
    if (Object.getOwnPropertyDescriptor(handler, 'prototype')?.writable) {
      return handler as unknown as HandlerFunction<object, unknown>;
    }
  } else if (typeof handler === 'object' && handler !== null && typeof (handler as Partial<HandlerObject<never, unknown>>).handle === 'function') {
    return { kind: OBJECT_HANDLER, handler: handler as AnyHandler };
  }
  throw new TypeError(
    `The handler for ${nameOf(messageClass)} must be a function, or a class or object with a handle(message) method; got ${describe(handler)}.`,
  );
}

/**
 * Calls a route's handler: a function directly, an object's `handle` with `this` bound to it,
 * a class through `handlerFactory` (once per call, so the factory decides its lifetime).
 *
 * @throws {TypeError} when the factory returns something without a `handle` method.
 */
export function invoke(route: Route, message: object, context: DispatchContext | undefined, handlerFactory: HandlerFactory): unknown {
  // Small on purpose: V8 inlines a callee only while the caller has taken in less than 920 bytes
  // of bytecode in all, so the handle-method kinds are in a function of their own.
  return typeof route === 'function' ? route(message, context) : invokeHandleMethod(route, message, context, handlerFactory);
}

/** Calls `handle` on an object handler, or on the instance `handlerFactory` builds from a class handler. */
function invokeHandleMethod(
  route: Exclude<Route, HandlerFunction<object, unknown>>,
  message: object,
  context: DispatchContext | undefined,
  handlerFactory: HandlerFactory,
): unknown {
  if (route.kind === OBJECT_HANDLER) return (route.handler as HandlerObject<object, unknown>).handle(message, context);
  const instance = handlerFactory(route.handler as new () => HandlerObject<never, unknown>) as HandlerObject<object, unknown> | undefined;
  if (typeof instance?.handle !== 'function') throw badInstance(route.handler, instance);
  return instance.handle(message, context);
}

function badInstance(handler: AnyHandler, instance: unknown): TypeError {
  return new TypeError(
    `handlerFactory must return an instance with a handle(message) method, such as new HandlerClass(); got ${describe(instance)} for ${nameOf(handler)}.`,
  );
}
