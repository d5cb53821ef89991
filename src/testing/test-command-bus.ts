import { CommandBus, type DispatchResult } from '../command-bus.js';
import type { DispatchContext } from '../context.js';
import type { Handler, HandlerFactory } from '../handler.js';
import type { MessageClass, MessageRouter } from '../message-router.js';
import { MessageLog } from './message-log.js';
import { StubMessageRouter } from './stub-routers.js';

/** Options of {@link TestCommandBus}. */
export interface TestCommandBusOptions {
  /** The router whose handlers run unless stubbed. @default messageRouter */
  router?: MessageRouter | undefined;
  /** Builds class handlers. @default (HandlerClass) => new HandlerClass() */
  handlerFactory?: HandlerFactory | undefined;
}

/**
 * A command bus for an application's tests: it records every command dispatched through it
 * and lets one test replace a handler with a stub, without touching the real router.
 *
 * @example
 * const bus = new TestCommandBus();
 * bus.stub(SendWelcomeEmail, () => undefined);
 * await signUp(bus, 'tom');
 * expect(bus.dispatched(SendWelcomeEmail)).toEqual([expect.objectContaining({ username: 'tom' })]);
 */
export class TestCommandBus implements CommandBus<true> {
  readonly #router: StubMessageRouter;
  readonly #bus: CommandBus<true>;
  readonly #log = new MessageLog();

  constructor(options: TestCommandBusOptions = {}) {
    this.#router = new StubMessageRouter(options.router);
    this.#bus = new CommandBus(options.handlerFactory ? { router: this.#router, handlerFactory: options.handlerFactory } : { router: this.#router });
  }

  /** Records the command, then dispatches it like {@link CommandBus.dispatch}. */
  dispatch<M extends object>(command: M, context?: DispatchContext): DispatchResult<M, true> {
    this.#log.record(command);
    return this.#bus.dispatch(command, context);
  }

  /** Replaces the handler of one command class for this bus only; returns this bus. */
  stub<C extends MessageClass>(messageClass: C, handler: Handler<InstanceType<C>>): this {
    this.#router.stub(messageClass, handler);
    return this;
  }

  /** The commands dispatched so far, or only those of one class, in order. */
  dispatched<C extends MessageClass>(messageClass?: C): InstanceType<C>[] {
    return this.#log.of(messageClass);
  }

  /** Forgets the recorded commands (stubs stay). */
  clear(): void {
    this.#log.clear();
  }
}
