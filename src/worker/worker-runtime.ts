import { describeThrown } from '../describe.js';
import { decodeMessageSoon, type DecodedMessage, type MessageCodingOptions } from '../envelope/envelope.js';
import { appendErrorHistory, summarizeError } from '../envelope/error-history.js';
import { MessageDecodeError } from '../envelope/message-decode-error.js';
import { MessageHeader } from '../envelope/message-headers.js';
import type { DeadLetterReason, Delivery, Transport } from '../transport/transport.js';
import { UnrecoverableError } from '../transport/unrecoverable-error.js';
import { drainJobs } from './drain-jobs.js';
import { callHandler, isInstance, isThenable } from './handler-call.js';
import { Job } from './job.js';
import { JobList } from './job-list.js';
import { LeaseKeeper } from './lease-keeper.js';
import { Slots } from './slots.js';
import { StopLimitTracker } from './stop-limits.js';
import { TypedEmitter } from './typed-emitter.js';
import type { StopReason, WorkerActivity, WorkerEvents } from './worker-events.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/**
 * What a worker's consumer loops and the processing of its deliveries share (options, events,
 * concurrency slots, jobs, lease keeper, stop limits), and the receive path itself, in the order
 * a delivery goes through it:
 *
 * 1. a `Consumer` takes free {@link slots}, receives that many deliveries at most, waits for
 *    {@link outcomesWritten} and hands each delivery to {@link take};
 * 2. {@link take} makes it a {@link Job} and processes it: a crash-looping or undecodable
 *    message is dead-lettered before any handler runs; otherwise the handler runs with its lease
 *    kept alive; then the job settles (its slot is free again) and its outcome is written: ack,
 *    retry with backoff, or dead letter;
 * 3. the job is finished: unlisted, counted, the stop limits checked; a job given up at
 *    shutdown has its message released only now that its handler has settled.
 *
 * It never throws on that path: a broker call that fails is reported as an `error` event and the
 * message left to its lease, so it is delivered again (at least once, never lost). It awaits
 * only what may take time (a schema, the handler, the broker), and allocates nothing per
 * delivery beyond its job and the promises and context that processing it needs.
 */
export class WorkerRuntime {
  /** The worker's options, checked. */
  readonly options: ResolvedWorkerOptions;
  /** The worker's events; a listener that throws is reported as an `error` during `listener`. */
  readonly events: TypedEmitter<WorkerEvents>;
  /** The concurrency limit, across every transport: a slot is taken per delivery until it settles. */
  readonly slots: Slots;
  /** Messages taken to an outcome since the worker was built. */
  processed = 0;
  /** Every job being processed, whose leases the lease keeper keeps while their handlers run. */
  readonly #jobs = new JobList();
  readonly #leases: LeaseKeeper;
  readonly #coding: MessageCodingOptions;
  /** Whether any stop limit is set; without one nothing is checked per message. */
  readonly #hasLimits: boolean;
  readonly #onLimitReached: (reason: StopReason) => void;
  #limits: StopLimitTracker | undefined;
  #taking = false;
  /** How many jobs are writing their outcome, their slot already free. */
  #settling = 0;

  /** `onLimitReached` is called (maybe more than once) while taking, once a stop limit is reached. */
  constructor(options: ResolvedWorkerOptions, onLimitReached: (reason: StopReason) => void) {
    this.options = options;
    this.#onLimitReached = onLimitReached;
    this.#hasLimits = Object.values(options.limits).some((limit) => Number.isFinite(limit));
    this.#coding = { registry: options.registry, codec: options.codec };
    this.events = new TypedEmitter<WorkerEvents>((error, event) => {
      if (event === 'error') console.error('troopy worker: an error listener threw', error);
      else this.report(undefined, 'listener', error);
    });
    this.slots = new Slots(options.concurrency);
    this.#leases = new LeaseKeeper(options.leaseMs, this.#jobs, (transport, error) => {
      this.report(transport, 'extend-lease', error);
    });
  }

  /** How many jobs are running or writing their outcome. */
  get inFlight(): number {
    return this.#jobs.size;
  }

  /** Starts taking deliveries, counted against fresh stop limits. */
  startTaking(): void {
    this.#limits = new StopLimitTracker(this.options.limits);
    this.#taking = true;
  }

  /** Stops taking deliveries: one that arrives from now on is given back at once. */
  stopTaking(): void {
    this.#taking = false;
  }

  /** How many more messages may be taken before a stop limit; `Infinity` without one. */
  remaining(): number {
    return this.#limits?.remaining ?? Infinity;
  }

  /**
   * Resolves once every outcome being written now (an ack, a retry, a dead letter) is written or
   * has failed; `undefined` when none is. A consumer waits for it before handing out the
   * deliveries of its next receive, so that no handler starts while the outcome of a message
   * handled before it is unconfirmed: a handler that crashes the process never takes another
   * message's ack down with it (that message would run twice, and count a delivery towards
   * `maxDeliveries` it did not cause).
   */
  outcomesWritten(): Promise<void> | undefined {
    if (this.#settling === 0) return undefined;
    const writes: Promise<void>[] = [];
    for (const job of this.#jobs) {
      if (job.state === 'settling' && job.done !== undefined) writes.push(job.done);
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** A delivery arrives with its slot taken: processed while taking, given back otherwise. */
  take(transport: Transport, delivery: Delivery): void {
    if (!this.#taking) {
      void this.#release(transport, delivery).finally(() => {
        this.slots.release();
      });
      return;
    }
    this.#limits?.took(1);
    const job = new Job(transport, delivery);
    // Listed before it starts: processing may finish before `#process` returns.
    this.#jobs.add(job);
    job.done = this.#process(job);
    this.#checkLimits();
  }

  /** Takes the job to its outcome; resolves once it is written (or failed to be) and the job is finished. */
  async #process(job: Job): Promise<void> {
    const { transport, delivery } = job;
    const { maxDeliveries } = this.options;
    try {
      if (this.events.listenerCount('received') > 0) {
        this.events.emit('received', { transport: transport.name, messageId: delivery.id, deliveryCount: delivery.deliveryCount });
      }
      if (delivery.deliveryCount > maxDeliveries) {
        const message = `Delivered ${delivery.deliveryCount} times, more than maxDeliveries (${maxDeliveries}): its handler may be crashing the worker.`;
        if (this.#settle(job)) await this.#deadLetter(job, { code: 'max-deliveries', message });
        return;
      }
      let decoded: DecodedMessage;
      try {
        const soon = decodeMessageSoon(delivery, this.#coding);
        decoded = soon instanceof Promise ? await soon : soon;
      } catch (error) {
        const code = isInstance(error, MessageDecodeError) ? error.reason : 'undecodable';
        if (this.#settle(job)) await this.#deadLetter(job, { code, message: describeThrown(error).message });
        return;
      }
      if (job.isGivenUp()) return;
      const started = performance.now();
      let failure: { readonly error: unknown } | undefined;
      this.#leases.hold(job);
      try {
        const result = callHandler(this.options.bus, this.options.messageScope, job, decoded);
        if (isThenable(result)) await result;
      } catch (error) {
        failure = { error };
      } finally {
        this.#leases.drop(job);
      }
      if (!this.#settle(job)) return;
      const { envelope } = decoded;
      if (failure !== undefined) {
        await this.#failed(job, envelope, failure.error);
        return;
      }
      try {
        await transport.ack(delivery);
      } catch (error) {
        this.report(transport, 'ack', error);
        return;
      }
      if (this.events.listenerCount('handled') > 0) {
        this.events.emit('handled', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, durationMs: performance.now() - started });
      }
    } finally {
      this.#finish(job);
      // Given up at shutdown: its handler has settled only now, so now its message goes back.
      if (job.release()) await this.#release(transport, delivery);
    }
  }

  /** A handler threw: dead-letters the message, or schedules it again with the error added to its history. */
  async #failed(job: Job, envelope: DecodedMessage['envelope'], error: unknown): Promise<void> {
    const { transport, delivery } = job;
    this.events.emit('failed', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, attempt: envelope.attempt, error });
    const { retry, errorHistoryLimit: limit } = this.options;
    // Whatever the handler threw (a symbol, a proxy, an Error with throwing getters) is read only
    // through describeThrown and isInstance, which never throw.
    if (isInstance(error, UnrecoverableError)) {
      const reason = { code: 'unrecoverable', message: `Attempt ${envelope.attempt} failed with an UnrecoverableError: ${describeThrown(error).message}` };
      return this.#deadLetter(job, reason, withLastError(delivery.headers, error, limit));
    }
    if (!retry.shouldRetry(envelope.attempt)) {
      const reason = { code: 'max-attempts', message: `All ${envelope.attempt} attempts failed; the last with ${summarizeError(error)}` };
      return this.#deadLetter(job, reason, withLastError(delivery.headers, error, limit));
    }
    const delayMs = retry.delayMs(envelope.attempt);
    if (await this.#write(job, 'retry', () => transport.retry(delivery, delayMs, appendErrorHistory(delivery.headers, error, { limit })))) {
      this.events.emit('retried', { transport: transport.name, messageId: envelope.id, attempt: envelope.attempt + 1, delayMs });
    }
  }

  /** Dead-letters the job's message with its original headers, or `headers` when given. */
  async #deadLetter(job: Job, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    const { transport, delivery } = job;
    const write = headers === undefined ? () => transport.deadLetter(delivery, reason) : () => transport.deadLetter(delivery, reason, headers);
    if (await this.#write(job, 'dead-letter', write)) {
      const messageId = delivery.headers[MessageHeader.id] ?? delivery.id;
      this.events.emit('dead-lettered', { transport: transport.name, messageId, reason });
    }
  }

  /** Writes an outcome to the broker; a failure is reported and the message left to its lease. */
  async #write(job: Job, during: WorkerActivity, write: () => Promise<void>): Promise<boolean> {
    try {
      // Called in the try, so a synchronous throw is reported like a rejection.
      await write();
      return true;
    } catch (error) {
      this.report(job.transport, during, error);
      return false;
    }
  }

  /**
   * No handler runs for the job any more: its slot is freed while its outcome is written (the
   * limit is on handlers running at once). `false` when it was given up at shutdown.
   */
  #settle(job: Job): boolean {
    if (!job.settle()) return false;
    this.#settling++;
    this.slots.release();
    return true;
  }

  /** The job is over: its outcome is written, failed to be, or it was given up. */
  #finish(job: Job): void {
    this.#jobs.remove(job);
    // A settling job gave its slot back when it began to settle.
    if (job.state === 'settling') this.#settling--;
    else this.slots.release();
    this.processed++;
    this.#checkLimits();
  }

  /** Gives a delivery back to its broker for immediate redelivery. */
  async #release(transport: Transport, delivery: Delivery): Promise<void> {
    try {
      await transport.release(delivery);
      this.events.emit('released', { transport: transport.name, messageId: delivery.id });
    } catch (error) {
      this.report(transport, 'release', error);
    }
  }

  #checkLimits(): void {
    if (!this.#hasLimits || !this.#taking) return;
    const reached = this.#limits?.reached();
    if (reached !== undefined) this.#onLimitReached(reached);
  }

  /**
   * At shutdown, after {@link stopTaking}: waits for the jobs as {@link drainJobs} says, then
   * stops the lease keeper (whose timer goes on, without keeping the process alive, for handlers
   * given up until they settle).
   */
  async drain(timeoutMs: number): Promise<void> {
    await drainJobs(this.#jobs, timeoutMs);
    this.#leases.stop();
  }

  /** Reports an error the worker survives: as an `error` event, or on `console.error` without a listener. */
  report(transport: Transport | undefined, during: WorkerActivity, error: unknown): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', { transport: transport?.name, during, error });
    else console.error(`troopy worker: ${during} failed${transport === undefined ? '' : ` on "${transport.name}"`}:`, error);
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
