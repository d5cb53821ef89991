import type { DispatchContext } from '../context.js';
import { describeThrown } from '../describe.js';
import { decodeMessageSoon, type DecodedMessage, type MessageCodingOptions } from '../envelope/envelope.js';
import { appendErrorHistory, summarizeError } from '../envelope/error-history.js';
import { MessageDecodeError } from '../envelope/message-decode-error.js';
import { messageContextReaderExists } from '../sending/message-context.js';
import { MessageHeader } from '../envelope/message-headers.js';
import type { DeadLetterReason, Transport } from '../transport/transport.js';
import { UnrecoverableError } from '../transport/unrecoverable-error.js';
import type { Job } from './job.js';
import type { JobList } from './job-list.js';
import { LeaseKeeper } from './lease-keeper.js';
import { runInMessageScope } from './message-scope.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { WorkerActivity, WorkerEvents } from './worker-events.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/**
 * Takes one delivery from receipt to its outcome: dead-letters a crash-looping or undecodable
 * message before any handler runs, dispatches the command with its lease kept alive, then
 * acknowledges it, schedules a retry with backoff, or dead-letters it.
 *
 * It never throws: a broker call that fails is reported as an `error` event and the message
 * is left to its lease, so it is delivered again (at least once, never lost). It awaits only
 * what may take time (a schema, the handler, the broker), so a batch of quick handlers costs
 * few promises.
 */
export class DeliveryProcessor {
  readonly #options: ResolvedWorkerOptions;
  readonly #events: TypedEmitter<WorkerEvents>;
  readonly #report: (transport: Transport, during: WorkerActivity, error: unknown) => void;
  readonly #leases: LeaseKeeper;
  readonly #coding: MessageCodingOptions;

  /** `jobs` is the worker's list of jobs, whose leases this keeps while their handlers run. */
  constructor(options: ResolvedWorkerOptions, jobs: JobList, events: TypedEmitter<WorkerEvents>, report: (transport: Transport, during: WorkerActivity, error: unknown) => void) {
    this.#options = options;
    this.#events = events;
    this.#report = report;
    this.#coding = { registry: options.registry, codec: options.codec };
    this.#leases = new LeaseKeeper(options.leaseMs, jobs, (transport, error) => {
      report(transport, 'extend-lease', error);
    });
  }

  /** Stops the lease keeper's timer, for a worker that stopped (jobs given back may still be running). */
  stop(): void {
    this.#leases.stop();
  }

  /**
   * Processes the job's delivery to its outcome; resolves when the outcome is written (or failed
   * to be), after calling `host.finished`: one promise per delivery, with nothing chained on it.
   * `host.settling` is called once no handler will run for it any more and its outcome is about
   * to be written (not for a delivery given back at shutdown).
   */
  async process(job: Job, host: JobHost): Promise<void> {
    const { transport, delivery } = job;
    // Every outcome below is awaited in the try, so `finished` runs once it is written.
    try {
      const { maxDeliveries } = this.#options;
      if (this.#events.listenerCount('received') > 0) {
        this.#events.emit('received', { transport: transport.name, messageId: delivery.id, deliveryCount: delivery.deliveryCount });
      }
      if (delivery.deliveryCount > maxDeliveries) {
        const message = `Delivered ${delivery.deliveryCount} times, more than maxDeliveries (${maxDeliveries}): its handler may be crashing the worker.`;
        await this.#deadLetter(job, host, { code: 'max-deliveries', message });
        return;
      }
      let decoded: DecodedMessage;
      try {
        const soon = decodeMessageSoon(delivery, this.#coding);
        decoded = soon instanceof Promise ? await soon : soon;
      } catch (error) {
        const code = isInstance(error, MessageDecodeError) ? error.reason : 'undecodable';
        await this.#deadLetter(job, host, { code, message: describeThrown(error).message });
        return;
      }
      if (released(job)) return;
      const started = performance.now();
      let failure: { readonly error: unknown } | undefined;
      this.#leases.hold(job);
      try {
        const result = this.#dispatch(job, decoded);
        if (isThenable(result)) await result;
      } catch (error) {
        failure = { error };
      } finally {
        this.#leases.drop(job);
      }
      if (released(job)) return;
      beginSettling(job, host);
      const { envelope } = decoded;
      if (failure !== undefined) {
        await this.#failed(job, host, envelope, failure.error);
        return;
      }
      try {
        await transport.ack(delivery);
      } catch (error) {
        this.#report(transport, 'ack', error);
        return;
      }
      if (this.#events.listenerCount('handled') > 0) {
        this.#events.emit('handled', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, durationMs: performance.now() - started });
      }
    } finally {
      host.finished(job);
    }
  }

  /** A handler threw: dead-letters the message, or schedules it again with the error added to its history. */
  async #failed(job: Job, host: JobHost, envelope: DecodedMessage['envelope'], error: unknown): Promise<void> {
    const { transport, delivery } = job;
    this.#events.emit('failed', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, attempt: envelope.attempt, error });
    const { retry } = this.#options;
    const limit = this.#options.errorHistoryLimit;
    // Whatever the handler threw (a symbol, a proxy, an Error with throwing getters) is read only
    // through describeThrown and isInstance, which never throw.
    if (isInstance(error, UnrecoverableError)) {
      const reason = { code: 'unrecoverable', message: `Attempt ${envelope.attempt} failed with an UnrecoverableError: ${describeThrown(error).message}` };
      return this.#deadLetter(job, host, reason, withLastError(delivery.headers, error, limit));
    }
    if (!retry.shouldRetry(envelope.attempt)) {
      const reason = { code: 'max-attempts', message: `All ${envelope.attempt} attempts failed; the last with ${summarizeError(error)}` };
      return this.#deadLetter(job, host, reason, withLastError(delivery.headers, error, limit));
    }
    const delayMs = retry.delayMs(envelope.attempt);
    if (await this.#settle(job, 'retry', () => transport.retry(delivery, delayMs, appendErrorHistory(delivery.headers, error, { limit })))) {
      this.#events.emit('retried', { transport: transport.name, messageId: envelope.id, attempt: envelope.attempt + 1, delayMs });
    }
  }

  /** Runs the handler with its context (in the message scope when it is kept); returns what it returned. */
  #dispatch(job: Job, { command, envelope }: DecodedMessage): unknown {
    const { transport, delivery } = job;
    const context: DispatchContext & { [JOB]: Job } = {
      messageId: envelope.id,
      deliveryCount: delivery.deliveryCount,
      attempt: envelope.attempt,
      headers: { ...envelope.headers },
      correlationId: envelope.correlationId,
      receivedFrom: transport.name,
      [JOB]: job,
    };
    // An own enumerable accessor (a spread copy of the context keeps its signal), made from one
    // shared descriptor: an accessor written in the literal would cost more than the rest of it.
    Object.defineProperty(context, 'signal', LAZY_SIGNAL);
    if (envelope.causationId !== undefined) context.causationId = envelope.causationId;
    const { bus, messageScope } = this.#options;
    if (!(messageScope ?? messageContextReaderExists())) return bus.dispatch(command, context);
    const scope = { messageId: envelope.id, correlationId: envelope.correlationId, traceparent: envelope.traceparent, tracestate: envelope.tracestate };
    return runInMessageScope(scope, dispatchWith, bus, command, context);
  }

  /** Dead-letters the job's message with its original headers, or `headers` when given. */
  async #deadLetter(job: Job, host: JobHost, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    if (released(job)) return;
    if (job.state !== 'settling') beginSettling(job, host);
    const { transport, delivery } = job;
    const write = headers === undefined ? () => transport.deadLetter(delivery, reason) : () => transport.deadLetter(delivery, reason, headers);
    if (await this.#settle(job, 'dead-letter', write)) {
      const messageId = delivery.headers[MessageHeader.id] ?? delivery.id;
      this.#events.emit('dead-lettered', { transport: transport.name, messageId, reason });
    }
  }

  /** Writes an outcome to the broker; a failure is reported and the message left to its lease. */
  async #settle(job: Job, during: WorkerActivity, write: () => Promise<void>): Promise<boolean> {
    try {
      // Called in the try, so a synchronous throw is reported like a rejection.
      await write();
      return true;
    } catch (error) {
      this.#report(job.transport, during, error);
      return false;
    }
  }
}

/**
 * The headers a failed message is dead-lettered with: its error history with the last error
 * added, and its `attempt` left as it is (the number of the attempt that failed last), so the
 * dead letter holds the whole history and a redrive goes on counting from there.
 */
function withLastError(headers: Readonly<Record<string, string>>, error: unknown, limit: number): Record<string, string> {
  const updated = appendErrorHistory(headers, error, { limit });
  const attempt = headers[MessageHeader.attempt];
  if (attempt !== undefined) return { ...updated, [MessageHeader.attempt]: attempt };
  return Object.fromEntries(Object.entries(updated).filter(([name]) => name !== MessageHeader.attempt));
}

/** What {@link DeliveryProcessor.process} tells about a job as it goes. */
export interface JobHost {
  /** No handler runs for the job any more; its outcome is about to be written. */
  settling(job: Job): void;
  /** The job is over: its outcome is written, failed to be, or it was given back. */
  finished(job: Job): void;
}

function beginSettling(job: Job, host: JobHost): void {
  job.state = 'settling';
  host.settling(job);
}

/** `bus.dispatch(command, context)`, as one function for every message (no closure per message). */
function dispatchWith(bus: ResolvedWorkerOptions['bus'], command: object, context: DispatchContext): unknown {
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
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Whether the worker gave the job's message back; read through a call, since it changes while we await. */
function released(job: Job): boolean {
  return job.state === 'released';
}

/** `value instanceof type`, false for a value whose prototype cannot be read (a revoked proxy, a throwing trap). */
function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
