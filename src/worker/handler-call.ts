import type { DispatchContext } from '../context.js';
import type { DecodedMessage } from '../envelope/envelope.js';
import { messageContextReaderExists } from '../sending/message-context.js';
import type { Job } from './job.js';
import { runInMessageScope } from './message-scope.js';
import type { Dispatcher } from './worker-options.js';

/**
 * Runs a job's handler: dispatches its command with the context a handler is given (message
 * id, delivery count, attempt, a copy of the headers, correlation and causation ids, the
 * transport it came from, and a signal the shutdown aborts), inside the message scope when it
 * is kept (`messageScope` `true`, or `undefined` and a `Sender` exists). Returns what the bus
 * returned, a value or a promise ({@link isThenable} says which); throws what it threw (read it
 * only through `describeThrown` and {@link isInstance}, which never throw: it may be anything).
 */
export function callHandler(bus: Dispatcher, messageScope: boolean | undefined, job: Job, { command, envelope }: DecodedMessage): unknown {
  const context: DispatchContext & { [JOB]: Job } = {
    messageId: envelope.id,
    deliveryCount: job.delivery.deliveryCount,
    attempt: envelope.attempt,
    headers: { ...envelope.headers },
    correlationId: envelope.correlationId,
    receivedFrom: job.transport.name,
    [JOB]: job,
  };
  // An own enumerable accessor (a spread copy of the context keeps its signal), made from one
  // shared descriptor: an accessor written in the literal would cost more than the rest of it.
  Object.defineProperty(context, 'signal', LAZY_SIGNAL);
  if (envelope.causationId !== undefined) context.causationId = envelope.causationId;
  if (!(messageScope ?? messageContextReaderExists())) return bus.dispatch(command, context);
  const scope = { messageId: envelope.id, correlationId: envelope.correlationId, traceparent: envelope.traceparent, tracestate: envelope.tracestate };
  return runInMessageScope(scope, dispatchWith, bus, command, context);
}

/** `bus.dispatch(command, context)`, as one function for every message (no closure per message). */
function dispatchWith(bus: Dispatcher, command: object, context: DispatchContext): unknown {
  return bus.dispatch(command, context);
}

/** Where a handler's context keeps its job, for {@link LAZY_SIGNAL}. */
const JOB = Symbol('troopy.job');

/**
 * `context.signal`, made on first read: most handlers never look at their signal, and making one
 * costs more than the rest of a delivery's bookkeeping. Assigning replaces it with a plain value.
 */
const LAZY_SIGNAL: PropertyDescriptor = {
  get(this: { readonly [JOB]: Job }): AbortSignal {
    return this[JOB].signal;
  },
  set(this: object, signal: unknown): void {
    Object.defineProperty(this, 'signal', { value: signal, writable: true, enumerable: true, configurable: true });
  },
  enumerable: true,
  configurable: true,
};

/** Whether a handler's result must be awaited; reading `then` may throw, which counts as the handler's error. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** `value instanceof type`, false for a value whose prototype cannot be read (a revoked proxy, a throwing trap). */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
