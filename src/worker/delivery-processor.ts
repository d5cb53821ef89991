import type { DispatchContext } from '../context.js';
import { decodeMessage, type DecodedMessage } from '../transport/envelope.js';
import { appendErrorHistory } from '../transport/error-history.js';
import { MessageDecodeError } from '../transport/message-decode-error.js';
import { MessageHeader } from '../transport/message-headers.js';
import type { DeadLetterReason, Delivery, Transport } from '../transport/transport.js';
import { UnrecoverableError } from '../transport/unrecoverable-error.js';
import { keepLeaseAlive } from './lease-keepalive.js';
import { runInMessageScope } from './message-scope.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { WorkerActivity, WorkerEvents } from './worker-events.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** One delivery the worker is working on. */
export interface Job {
  readonly transport: Transport;
  readonly delivery: Delivery;
  /** Aborted when the worker gives up on the handler at shutdown. */
  readonly controller: AbortController;
  /** `running` while the handler may run, `settling` while its outcome is written, `released` once given back. */
  state: 'running' | 'settling' | 'released';
}

/**
 * Takes one delivery from receipt to its outcome: dead-letters a crash-looping or undecodable
 * message before any handler runs, dispatches the command with a keepalive on its lease, then
 * acknowledges it, schedules a retry with backoff, or dead-letters it.
 *
 * It never throws: a broker call that fails is reported as an `error` event and the message
 * is left to its lease, so it is delivered again (at least once, never lost).
 */
export class DeliveryProcessor {
  readonly #options: ResolvedWorkerOptions;
  readonly #events: TypedEmitter<WorkerEvents>;
  readonly #report: (transport: Transport, during: WorkerActivity, error: unknown) => void;

  constructor(options: ResolvedWorkerOptions, events: TypedEmitter<WorkerEvents>, report: (transport: Transport, during: WorkerActivity, error: unknown) => void) {
    this.#options = options;
    this.#events = events;
    this.#report = report;
  }

  /** Processes the job's delivery to its outcome; resolves when the outcome is written (or failed to be). */
  async process(job: Job): Promise<void> {
    const { transport, delivery } = job;
    const { maxDeliveries } = this.#options;
    this.#events.emit('received', { transport: transport.name, messageId: delivery.id, deliveryCount: delivery.deliveryCount });
    if (delivery.deliveryCount > maxDeliveries) {
      const message = `Delivered ${delivery.deliveryCount} times, more than maxDeliveries (${maxDeliveries}): its handler may be crashing the worker.`;
      return this.#deadLetter(job, { code: 'max-deliveries', message });
    }
    let decoded: DecodedMessage;
    try {
      decoded = await decodeMessage(delivery, { registry: this.#options.registry, codec: this.#options.codec });
    } catch (error) {
      const code = error instanceof MessageDecodeError ? error.reason : 'undecodable';
      return this.#deadLetter(job, { code, message: error instanceof Error ? error.message : String(error) });
    }
    if (released(job)) return;
    const started = performance.now();
    const failure = await this.#handle(job, decoded);
    if (released(job)) return;
    job.state = 'settling';
    const { envelope } = decoded;
    if (failure === undefined) {
      if (await this.#settle(job, 'ack', () => transport.ack(delivery))) {
        const durationMs = performance.now() - started;
        this.#events.emit('handled', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, durationMs });
      }
      return;
    }
    const { error } = failure;
    this.#events.emit('failed', { transport: transport.name, messageId: envelope.id, messageName: envelope.name, attempt: envelope.attempt, error });
    const { retry } = this.#options;
    if (error instanceof UnrecoverableError) {
      return this.#deadLetter(job, { code: 'unrecoverable', message: `Attempt ${envelope.attempt} failed with an UnrecoverableError: ${error.message}` });
    }
    if (!retry.shouldRetry(envelope.attempt)) {
      return this.#deadLetter(job, { code: 'max-attempts', message: `All ${envelope.attempt} attempts failed; the last with ${describeError(error)}` });
    }
    const delayMs = retry.delayMs(envelope.attempt);
    const limit = this.#options.errorHistoryLimit;
    if (await this.#settle(job, 'retry', () => transport.retry(delivery, delayMs, appendErrorHistory(delivery.headers, error, { limit })))) {
      this.#events.emit('retried', { transport: transport.name, messageId: envelope.id, attempt: envelope.attempt + 1, delayMs });
    }
  }

  /** Runs the handler with its context, a lease keepalive and the message scope; returns its error, if any. */
  async #handle(job: Job, { command, envelope }: DecodedMessage): Promise<{ readonly error: unknown } | undefined> {
    const { transport, delivery, controller } = job;
    const context: DispatchContext = {
      messageId: envelope.id,
      deliveryCount: delivery.deliveryCount,
      attempt: envelope.attempt,
      headers: { ...envelope.headers },
      correlationId: envelope.correlationId,
      signal: controller.signal,
      receivedFrom: transport.name,
    };
    if (envelope.causationId !== undefined) context.causationId = envelope.causationId;
    const scope = { messageId: envelope.id, correlationId: envelope.correlationId, traceparent: envelope.traceparent, tracestate: envelope.tracestate };
    const stop = keepLeaseAlive(transport, delivery, this.#options.leaseMs, (error) => {
      this.#report(transport, 'extend-lease', error);
    });
    try {
      await runInMessageScope(scope, () => this.#options.bus.dispatch(command, context));
      return undefined;
    } catch (error) {
      return { error };
    } finally {
      stop();
    }
  }

  async #deadLetter(job: Job, reason: DeadLetterReason): Promise<void> {
    if (released(job)) return;
    job.state = 'settling';
    const { transport, delivery } = job;
    if (await this.#settle(job, 'dead-letter', () => transport.deadLetter(delivery, reason))) {
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

/** Whether the worker gave the job's message back; read through a call, since it changes while we await. */
function released(job: Job): boolean {
  return job.state === 'released';
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
