import type { Delivery, Transport } from '../transport/transport.js';
import type { DeliveryProcessor } from './delivery-processor.js';
import { Job } from './job.js';
import { ShutdownTimeoutError } from './shutdown-timeout-error.js';
import { sleep } from './sleep.js';
import type { Slots } from './slots.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { WorkerActivity, WorkerEvents } from './worker-events.js';

/**
 * The deliveries a worker is working on: runs each through the {@link DeliveryProcessor},
 * frees its concurrency slot when it is done, and at shutdown drains them (waiting, then
 * aborting and releasing the ones that outlive the timeout).
 */
export class InFlightJobs {
  /** Each job, with the promise of its processing (`undefined` only while it starts). */
  readonly #jobs = new Map<Job, Promise<void> | undefined>();
  readonly #processor: DeliveryProcessor;
  readonly #slots: Slots;
  readonly #events: TypedEmitter<WorkerEvents>;
  readonly #report: (transport: Transport, during: WorkerActivity, error: unknown) => void;
  readonly #onDone: () => void;

  constructor(
    processor: DeliveryProcessor,
    slots: Slots,
    events: TypedEmitter<WorkerEvents>,
    report: (transport: Transport, during: WorkerActivity, error: unknown) => void,
    onDone: () => void,
  ) {
    this.#processor = processor;
    this.#slots = slots;
    this.#events = events;
    this.#report = report;
    this.#onDone = onDone;
  }

  /** How many jobs are running or writing their outcome. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Processes a delivery whose slot is taken; frees the slot, then calls `onDone`, once it is over. */
  run(transport: Transport, delivery: Delivery): void {
    const job = new Job(transport, delivery);
    // Known before it starts: processing may finish before `process` returns.
    this.#jobs.set(job, undefined);
    const finished = this.#processor.process(job, this.#finished);
    if (this.#jobs.has(job)) this.#jobs.set(job, finished);
  }

  /** Called as each job is over: one function for all of them. */
  readonly #finished = (job: Job): void => {
    this.#jobs.delete(job);
    this.#slots.release();
    this.#onDone();
  };

  /** Gives back at once a delivery that arrived while the worker was stopping, and frees its slot. */
  giveBack(transport: Transport, delivery: Delivery): void {
    const job = new Job(transport, delivery);
    void this.#release(job).finally(() => {
      this.#slots.release();
    });
  }

  /**
   * Waits up to `timeoutMs` for every job; then aborts the signals of the handlers still running
   * and releases their messages for immediate redelivery. Jobs already writing their outcome
   * (ack, retry, dead-letter) are let finish: cutting that short would only cause a redelivery.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#jobs.size === 0) return;
    const timer = new AbortController();
    const all = [...this.#jobs.values()].filter((done) => done !== undefined);
    const finished = await Promise.race([Promise.all(all).then(() => true), sleep(timeoutMs, timer.signal).then(() => false)]);
    timer.abort();
    if (finished) return;
    const waits: Promise<void>[] = [];
    for (const [job, done] of this.#jobs) {
      if (job.state === 'running') {
        waits.push(this.#release(job));
        job.abort(new ShutdownTimeoutError(timeoutMs));
      } else if (job.state === 'settling' && done !== undefined) {
        waits.push(done);
      }
    }
    await Promise.all(waits);
  }

  async #release(job: Job): Promise<void> {
    job.state = 'released';
    try {
      await job.transport.release(job.delivery);
      this.#events.emit('released', { transport: job.transport.name, messageId: job.delivery.id });
    } catch (error) {
      this.#report(job.transport, 'release', error);
    }
  }
}
