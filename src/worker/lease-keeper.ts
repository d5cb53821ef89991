import type { Transport } from '../transport/transport.js';
import type { Job } from './job.js';
import type { JobList } from './job-list.js';

/**
 * Keeps the leases of every delivery whose handler runs, for the whole worker: one timer that,
 * every `leaseMs / 3`, extends the lease of each held job, so a long handler is never
 * redelivered while its worker lives. A job whose previous extension is still on its way is
 * skipped for that tick (a slow broker must not pile extensions up). A failed extension is
 * reported to `onError` and the keeping goes on: the next tick may succeed, and the handler is
 * not interrupted for it. The timer starts with the first job held and stops at the first tick
 * that finds none (so a stream of quick handlers does not start and stop it for each), or at
 * {@link stop}.
 */
export class LeaseKeeper {
  readonly #leaseMs: number;
  readonly #onError: (transport: Transport, error: unknown) => void;
  readonly #jobs: JobList;
  #held = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `jobs` is the worker's list of jobs; the keeper extends those it holds. */
  constructor(leaseMs: number, jobs: JobList, onError: (transport: Transport, error: unknown) => void) {
    this.#leaseMs = leaseMs;
    this.#jobs = jobs;
    this.#onError = onError;
  }

  /** Keeps the lease of the job (which must be in the worker's list) from now until {@link drop}. */
  hold(job: Job): void {
    if (job.leaseKept) return;
    job.leaseKept = true;
    this.#held++;
    this.#timer ??= setInterval(
      () => {
        this.#extendAll();
      },
      Math.max(1, Math.floor(this.#leaseMs / 3)),
    );
  }

  /** Stops keeping the job's lease; call it before the delivery is settled. */
  drop(job: Job): void {
    if (!job.leaseKept) return;
    job.leaseKept = false;
    this.#held--;
  }

  /**
   * Stops the timer now; jobs held later start it again. While jobs are still held (handlers that
   * outlived the worker's shutdown), it keeps running for them until they are dropped, without
   * keeping the process alive by itself: if the process ends, their leases run out.
   */
  stop(): void {
    if (this.#held > 0) {
      this.#timer?.unref();
      return;
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #extendAll(): void {
    if (this.#held === 0) {
      this.stop();
      return;
    }
    for (const job of this.#jobs) {
      // A job given up at shutdown is held too: its message is released only once its handler has settled.
      if (!job.leaseKept || job.extending) continue;
      job.extending = true;
      const done = (): void => {
        job.extending = false;
      };
      try {
        job.transport.extendLease(job.delivery, this.#leaseMs).then(done, (error: unknown) => {
          done();
          this.#onError(job.transport, error);
        });
      } catch (error) {
        done();
        this.#onError(job.transport, error);
      }
    }
  }
}
