import type { Delivery, Transport } from '../transport/transport.js';
import type { DeliveryProcessor, JobHost } from './delivery-processor.js';
import { Job } from './job.js';
import type { JobList } from './job-list.js';
import { ShutdownTimeoutError } from './shutdown-timeout-error.js';
import { sleep } from './sleep.js';
import type { Slots } from './slots.js';
import type { TypedEmitter } from './typed-emitter.js';
import type { WorkerActivity, WorkerEvents } from './worker-events.js';

/**
 * The deliveries a worker is working on: runs each through the {@link DeliveryProcessor},
 * frees its concurrency slot as soon as no handler runs for it (its outcome may still be on its
 * way to the broker: see {@link InFlightJobs.outcomesWritten}), and at shutdown drains them
 * (waiting, then aborting the ones that outlive the timeout and releasing each once its handler
 * has settled).
 */
/**
 * How long `drain` waits, after aborting the handlers that outlived the timeout, for those that
 * honour their signal to settle and have their messages released.
 */
export const ABORT_GRACE_MS = 1_000;

export class InFlightJobs {
  /** Every job being processed. */
  readonly #jobs: JobList;
  readonly #processor: DeliveryProcessor;
  readonly #slots: Slots;
  readonly #events: TypedEmitter<WorkerEvents>;
  readonly #report: (transport: Transport, during: WorkerActivity, error: unknown) => void;
  readonly #onDone: () => void;
  /** How many jobs are writing their outcome, their slot already free. */
  #settling = 0;

  /** `jobs` is the worker's list of jobs, empty; this keeps it. */
  constructor(
    jobs: JobList,
    processor: DeliveryProcessor,
    slots: Slots,
    events: TypedEmitter<WorkerEvents>,
    report: (transport: Transport, during: WorkerActivity, error: unknown) => void,
    onDone: () => void,
  ) {
    this.#jobs = jobs;
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

  /**
   * Processes a delivery whose slot is taken. The slot is freed once no handler runs for it any
   * more, while its outcome is still being written (the limit is on handlers running at once),
   * and `onDone` is called once it is over.
   */
  run(transport: Transport, delivery: Delivery): void {
    const job = new Job(transport, delivery);
    // Listed before it starts: processing may finish before `process` returns.
    this.#jobs.add(job);
    job.done = this.#processor.process(job, this.#host);
  }

  /**
   * Resolves once every outcome being written now (an ack, a retry, a dead letter) is written or
   * has failed; `undefined` when none is. The consumer waits for it before handing out the
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

  /** Told about every job as it goes: one object for all of them. */
  readonly #host: JobHost = {
    settling: () => {
      this.#settling++;
      this.#slots.release();
    },
    finished: (job) => {
      this.#jobs.remove(job);
      // Given up at shutdown: its handler has settled only now, so now its message goes back.
      if (job.state === 'released') job.released = this.#release(job);
      // A settling job gave its slot back when it began to settle.
      if (job.state === 'settling') this.#settling--;
      else this.#slots.release();
      this.#onDone();
    },
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
   * and resolves once the jobs already writing their outcome (ack, retry, dead-letter) are done
   * (cutting that short would only cause a redelivery), and the aborted handlers that settled
   * within {@link ABORT_GRACE_MS} have had their messages released.
   *
   * A handler that outlives the timeout is not released at once: its message would go to another
   * worker while the handler still runs, and run twice at the same time. Its lease is kept
   * (extended as before) until the handler settles, whatever it returns is ignored, and its
   * message is released then, for immediate redelivery. If the process ends first, or the
   * transport is closed, the lease simply runs out and the message is delivered again after it.
   */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#jobs.size === 0) return;
    const timer = new AbortController();
    const all = [...this.#jobs].flatMap((job) => job.done ?? []);
    const finished = await Promise.race([Promise.all(all).then(() => true), sleep(timeoutMs, timer.signal).then(() => false)]);
    timer.abort();
    if (finished) return;
    const waits: Promise<void>[] = [];
    const givenUp: Promise<void>[] = [];
    for (const job of this.#jobs) {
      if (job.state === 'running') {
        // Released by `finished` once its handler has settled.
        job.state = 'released';
        job.abort(new ShutdownTimeoutError(timeoutMs));
        if (job.done !== undefined) givenUp.push(job.done.then(() => job.released));
      } else if (job.state === 'settling' && job.done !== undefined) {
        waits.push(job.done);
      }
    }
    // A handler that honours its signal settles at once: wait a moment for it and its release,
    // so that its message is back on the queue before stop() resolves and the application
    // closes the transport (a release cut off by the close would leave it to its lease).
    const grace = new AbortController();
    await Promise.all([...waits, Promise.race([Promise.all(givenUp), sleep(ABORT_GRACE_MS, grace.signal)])]);
    grace.abort();
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
