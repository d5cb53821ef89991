import type { ResultOf } from './command.js';
import { describe, isClass } from './describe.js';
import { HandlerAlreadyAttachedError, NoHandlerAttachedError } from './errors.js';
import type { Handler } from './handler.js';
import { handlerOf, routeTo, type Route } from './route.js';

/** Any class whose instances can be dispatched or published. */
export type MessageClass<M extends object = object> = abstract new (...args: never[]) => M;

/**
 * Knows which handler handles each message class: exactly one per class.
 *
 * Routing is by the message's exact class (its constructor), never by its name, so it is safe
 * under minification, and a subclass is not routed to its parent's handler.
 *
 * @example
 * const router = new MessageRouter();
 * router.attach(SayHello, (command) => `Hello ${command.username}!`);
 * const bus = new CommandBus({ router });
 */
export class MessageRouter {
  readonly #routes = new Map<MessageClass, Route>();

  /**
   * Attaches a handler to a message class. The handler's parameter must accept the message and
   * its result must fit the `Command<R>` result type, or the call does not compile.
   *
   * @throws {TypeError} when `messageClass` is not a class or `handler` is not a handler.
   * @throws {HandlerAlreadyAttachedError} when the class already has a handler; the first stays.
   */
  attach<C extends MessageClass>(messageClass: C, handler: Handler<InstanceType<C>, ResultOf<InstanceType<C>>>): void {
    if (!isClass(messageClass)) {
      throw new TypeError(`attach expects a message class, such as SayHello; got ${describe(messageClass)}.`);
    }
    const route = routeTo(handler, messageClass);
    if (this.#routes.has(messageClass)) throw new HandlerAlreadyAttachedError(messageClass);
    this.#routes.set(messageClass, route);
  }

  /**
   * Returns the handler attached to the message's class, as it was attached.
   *
   * @throws {NoHandlerAttachedError} when the class has none.
   */
  findFor<M extends object>(message: M): Handler<M> {
    const route = this.routeFor(message.constructor);
    if (route === undefined) throw new NoHandlerAttachedError(message.constructor as MessageClass);
    return handlerOf(route) as Handler<M>;
  }

  /** Whether a handler is attached to this exact class. */
  has(messageClass: MessageClass): boolean {
    return this.routeFor(messageClass) !== undefined;
  }

  /**
   * The classified route of a message class, or `undefined`. This is what the buses call on
   * every dispatch; a subclass may override it to answer from elsewhere first (test stubs).
   */
  routeFor(messageClass: unknown): Route | undefined {
    return this.#routes.get(messageClass as MessageClass);
  }

  /** Detaches the handler of a class; returns whether there was one. */
  detach(messageClass: MessageClass): boolean {
    return this.#routes.delete(messageClass);
  }
}

/** The router that {@link command} attaches to and {@link CommandBus} uses by default. */
export const messageRouter = new MessageRouter();
