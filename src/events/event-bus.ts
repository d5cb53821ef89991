import { checkOptions, checkRouter, constructHandler } from '../bus-options.js';
import type { DispatchContext } from '../context.js';
import { describe, describeThrown, nameOf } from '../describe.js';
import type { HandlerFactory } from '../handler.js';
import { checkMiddleware, compose, type Middleware, type Pipeline } from '../middleware.js';
import { invoke } from '../route.js';
import { EventRouter } from './event-router.js';

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /** Where subscribers are looked up. */
  router: EventRouter;
  /** Builds class subscribers on each publish. @default (HandlerClass) => new HandlerClass() */
  handlerFactory?: HandlerFactory | undefined;
  /** Run around each publish (around all its subscribers together), first outermost. @default [] */
  middleware?: readonly Middleware[] | undefined;
}

const done: Promise<void> = Promise.resolve();

/**
 * Publishes each event to every subscriber of its class.
 *
 * Order and concurrency: subscribers are started one after another in subscription order, each
 * without waiting for the previous one's promise, so asynchronous subscribers run concurrently.
 * `publish` resolves once all have finished. When any fail (by throwing or by rejecting), the
 * others still run to the end, and `publish` rejects with an `AggregateError` whose `errors`
 * hold each failure: the synchronous throws first, then the rejections in subscription order.
 * No subscriber is fine: it resolves at once.
 *
 * @example
 * const events = new EventBus({ router: eventRouter });
 * await events.publish(new UserSignedUp('tom'));
 */
export class EventBus {
  readonly #router: EventRouter;
  readonly #handlerFactory: HandlerFactory;
  readonly #pipeline: Pipeline | undefined;

  /** @throws {TypeError} when an option is not of the documented type. */
  constructor(options: EventBusOptions) {
    const checked = checkOptions(options, 'EventBus');
    this.#router = checkRouter(checked['router'], EventRouter, 'EventBus');
    this.#handlerFactory = (checked['handlerFactory'] as HandlerFactory | undefined) ?? constructHandler;
    const layers = checkMiddleware(checked['middleware'], 'EventBus');
    this.#pipeline = layers.length === 0 ? undefined : compose(layers, (event, context) => this.#fanOut(event, context));
  }

  /**
   * Runs every subscriber of the event's class (through the middleware, if any).
   *
   * @returns a promise that resolves when all subscribers are done, and rejects with an
   * `AggregateError` of their failures if any failed, or with a `TypeError` when `event` is
   * not a class instance (a primitive, a symbol, a plain or null-prototype object).
   */
  publish(event: object, context?: DispatchContext): Promise<void> {
    return this.#pipeline === undefined ? this.#fanOut(event, context) : this.#publishThrough(this.#pipeline, event, context);
  }

  async #publishThrough(pipeline: Pipeline, event: object, context: DispatchContext | undefined): Promise<void> {
    await pipeline(event, context);
  }

  #fanOut(event: unknown, context: DispatchContext | undefined): Promise<void> {
    if (typeof event !== 'object' || event === null) return Promise.reject(notAnEvent(event));
    const routes = this.#router.routesFor(event.constructor);
    // Checked only here, where no subscriber matched: a plain object is refused as dispatch refuses it.
    if (routes === undefined) return isPlain(event) ? Promise.reject(notAnEvent(event)) : done;
    let failures: unknown[] | undefined;
    let pending: PromiseLike<unknown>[] | undefined;
    for (const route of routes) {
      try {
        const result = invoke(route, event, context, this.#handlerFactory);
        // A native promise, so that settle() may await it twice; a lazy thenable is run once.
        if (isThenable(result)) (pending ??= []).push(result instanceof Promise ? result : Promise.resolve(result));
      } catch (error) {
        (failures ??= []).push(error);
      }
    }
    if (pending !== undefined) return settle(pending, failures, event);
    return failures === undefined ? done : Promise.reject(aggregate(failures, event));
  }
}

/**
 * Waits for every subscriber's promise (all are running already, so this takes as long as the
 * slowest) and then rejects with the failures, if any, in subscription order. `Promise.all`
 * handles every promise at once (awaiting them in turn would leave a later one that rejects
 * while an earlier one runs unhandled, and Node ends the process on an unhandled rejection);
 * only when it rejects, at the first failure, are the promises (every one handled by then)
 * awaited in turn for their failures. An async function because V8 awaits a native promise without the throwaway
 * promise that each `then` call allocates.
 */
async function settle(pending: PromiseLike<unknown>[], failures: unknown[] | undefined, event: object): Promise<void> {
  try {
    await (pending.length === 1 ? pending[0] : Promise.all(pending));
  } catch {
    for (const promise of pending) {
      try {
        await promise;
      } catch (failure) {
        (failures ??= []).push(failure);
      }
    }
  }
  if (failures !== undefined) throw aggregate(failures, event);
}

function aggregate(failures: unknown[], event: object): AggregateError {
  const first = describeThrown(failures[0]).message;
  const count = failures.length === 1 ? '1 subscriber' : `${failures.length} subscribers`;
  return new AggregateError(failures, `${count} of ${nameOf(event.constructor)} failed (first: ${first}); see .errors for each failure.`);
}

function notAnEvent(event: unknown): TypeError {
  return new TypeError(`publish expects an event: an instance of a class, such as new UserSignedUp('tom'); got ${describe(event)}.`);
}

/** Whether an object is plain (`{}` or null-prototype), not a class instance. */
function isPlain(event: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(event);
  return prototype === null || prototype === Object.prototype;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
