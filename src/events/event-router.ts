import { describe, isClass } from '../describe.js';
import type { Handler } from '../handler.js';
import type { MessageClass } from '../message-router.js';
import { handlerOf, routeTo, type Route } from '../route.js';

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
   * One token per subscription, in the same order as the routes: a function handler is its own
   * route, so the same function subscribed twice is told apart by its token.
   */
  readonly #tokens = new Map<MessageClass, readonly object[]>();

  /**
   * Adds a subscriber to an event class and returns a function that removes it again.
   *
   * @throws {TypeError} when `eventClass` is not a class or `handler` is not a handler.
   */
  subscribe<C extends MessageClass>(eventClass: C, handler: Handler<InstanceType<C>>): () => void {
    if (!isClass(eventClass)) {
      throw new TypeError(`subscribe expects an event class as its first argument (class UserSignedUp {}); got ${describe(eventClass)}.`);
    }
    const route = routeTo(handler, eventClass);
    const token = {};
    this.#replace(eventClass, [...(this.#routes.get(eventClass) ?? []), route], [...(this.#tokens.get(eventClass) ?? []), token]);
    return () => {
      const tokens = this.#tokens.get(eventClass) ?? [];
      const index = tokens.indexOf(token);
      if (index < 0) return;
      const others = (_: unknown, at: number): boolean => at !== index;
      this.#replace(eventClass, (this.#routes.get(eventClass) ?? []).filter(others), tokens.filter(others));
    };
  }

  #replace(eventClass: MessageClass, routes: readonly Route[], tokens: readonly object[]): void {
    if (routes.length === 0) {
      this.#routes.delete(eventClass);
      this.#tokens.delete(eventClass);
    } else {
      this.#routes.set(eventClass, routes);
      this.#tokens.set(eventClass, tokens);
    }
  }

  /** The handlers subscribed to the event's class, in subscription order. */
  findFor<E extends object>(event: E): Handler<E>[] {
    return (this.routesFor(event.constructor) ?? []).map((route) => handlerOf(route) as Handler<E>);
  }

  /**
   * The classified routes of an event class, or `undefined` when it has none. The array is
   * replaced, never changed, by `subscribe`, so a publish in progress is not affected.
   */
  routesFor(eventClass: unknown): readonly Route[] | undefined {
    return this.#routes.get(eventClass as MessageClass);
  }
}
