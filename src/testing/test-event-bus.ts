import type { DispatchContext } from '../context.js';
import { EventBus } from '../events/event-bus.js';
import { EventRouter } from '../events/event-router.js';
import type { Handler, HandlerFactory } from '../handler.js';
import type { MessageClass } from '../message-router.js';
import { MessageLog } from './message-log.js';
import { StubEventRouter } from './stub-routers.js';

/** Options of {@link TestEventBus}. */
export interface TestEventBusOptions {
  /** The router whose subscribers run unless stubbed. @default a new, empty EventRouter */
  router?: EventRouter | undefined;
  /** Builds class subscribers. @default (HandlerClass) => new HandlerClass() */
  handlerFactory?: HandlerFactory | undefined;
}

/**
 * An event bus for an application's tests: it records every event published through it and
 * lets one test replace or silence the subscribers of an event class.
 *
 * @example
 * const events = new TestEventBus({ router: eventRouter });
 * events.stub(UserSignedUp); // run no subscriber
 * await signUp(bus, events, 'tom');
 * expect(events.published(UserSignedUp)).toHaveLength(1);
 */
export class TestEventBus extends EventBus {
  readonly #router: StubEventRouter;
  readonly #log = new MessageLog();

  constructor(options: TestEventBusOptions = {}) {
    const router = new StubEventRouter(options.router ?? new EventRouter());
    super(options.handlerFactory ? { router, handlerFactory: options.handlerFactory } : { router });
    this.#router = router;
  }

  /** Records the event, then publishes it like {@link EventBus.publish}. */
  override publish(event: object, context?: DispatchContext): Promise<void> {
    this.#log.record(event);
    return super.publish(event, context);
  }

  /** Replaces the subscribers of one event class with `handler`, or with none; returns this bus. */
  stub<C extends MessageClass>(eventClass: C, handler?: Handler<InstanceType<C>>): this {
    this.#router.stub(eventClass, handler);
    return this;
  }

  /** The events published so far, or only those of one class, in order. */
  published<C extends MessageClass>(eventClass?: C): InstanceType<C>[] {
    return this.#log.of(eventClass);
  }

  /** Forgets the recorded events (stubs stay). */
  clear(): void {
    this.#log.clear();
  }
}
