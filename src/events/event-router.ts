import { describe, isClass, nameOf } from '../describe.js';
import type { Handler } from '../handler.js';
import type { MessageClass } from '../message-router.js';
import { routeTo, type Route } from '../route.js';

/**
 * Knows the subscribers of each event class: any number per class, in subscription order.
 * Like commands, events are routed by their exact class.
 *
 * @example
 * const events = new EventRouter();
 * events.subscribe(UserSignedUp, sendWelcomeEmail);
 * events.subscribe(UserSignedUp, UpdateStatsHandler);
 */
export class EventRouter {
  readonly #routes = new Map<MessageClass, readonly Route[]>();

  /**
   * Adds a subscriber to an event class and returns a function that removes it again.
   *
   * @throws {TypeError} when `eventClass` is not a class or `handler` is not a handler.
   */
  subscribe<C extends MessageClass>(eventClass: C, handler: Handler<InstanceType<C>>): () => void {
    if (!isClass(eventClass)) {
      throw new TypeError(`subscribe expects an event class as its first argument (class UserSignedUp {}); got ${describe(eventClass)}.`);
    }
    const route = routeTo(handler, nameOf(eventClass));
    this.#routes.set(eventClass, [...(this.#routes.get(eventClass) ?? []), route]);
    return () => {
      const remaining = (this.#routes.get(eventClass) ?? []).filter((existing) => existing !== route);
      if (remaining.length === 0) this.#routes.delete(eventClass);
      else this.#routes.set(eventClass, remaining);
    };
  }

  /** The handlers subscribed to the event's class, in subscription order. */
  findFor<E extends object>(event: E): Handler<E>[] {
    return (this.routesFor(event.constructor) ?? []).map((route) => route.handler as Handler<E>);
  }

  /**
   * The classified routes of an event class, or `undefined` when it has none. The array is
   * replaced, never changed, by `subscribe`, so a publish in progress is not affected.
   */
  routesFor(eventClass: unknown): readonly Route[] | undefined {
    return this.#routes.get(eventClass as MessageClass);
  }
}
