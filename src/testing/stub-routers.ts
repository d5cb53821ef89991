import type { Handler } from '../handler.js';
import { MessageRouter, messageRouter, type MessageClass } from '../message-router.js';
import { routeTo, type Route } from '../route.js';
import { EventRouter } from '../events/event-router.js';

/**
 * A router that answers from its stubs first and from a base router for everything else.
 * Stubbing never touches the base router, so the application's global router stays as it is.
 */
export class StubMessageRouter extends MessageRouter {
  readonly #base: MessageRouter;
  readonly #stubs = new Map<unknown, Route>();

  /** @param base the router to fall back to. @default messageRouter */
  constructor(base: MessageRouter = messageRouter) {
    super();
    this.#base = base;
  }

  /** Replaces the handler of one command class on this router only; returns this router. */
  stub<C extends MessageClass>(messageClass: C, handler: Handler<InstanceType<C>>): this {
    this.#stubs.set(messageClass, routeTo(handler, messageClass));
    return this;
  }

  override routeFor(messageClass: unknown): Route | undefined {
    return this.#stubs.get(messageClass) ?? super.routeFor(messageClass) ?? this.#base.routeFor(messageClass);
  }
}

/** An event router that answers from its stubs first and from a base router otherwise. */
export class StubEventRouter extends EventRouter {
  readonly #base: EventRouter;
  readonly #stubs = new Map<unknown, readonly Route[]>();

  /** @param base the router to fall back to. */
  constructor(base: EventRouter) {
    super();
    this.#base = base;
  }

  /** Replaces every subscriber of one event class with `handler` (none: silences it), on this router only. */
  stub<C extends MessageClass>(eventClass: C, handler?: Handler<InstanceType<C>>): this {
    this.#stubs.set(eventClass, handler === undefined ? [] : [routeTo(handler, eventClass)]);
    return this;
  }

  override routesFor(eventClass: unknown): readonly Route[] | undefined {
    return this.#stubs.get(eventClass) ?? super.routesFor(eventClass) ?? this.#base.routesFor(eventClass);
  }
}
