import type { Transport } from '../transport/transport.js';
import type { Job } from './job.js';

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
  readonly #held = new Set<Job>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(leaseMs: number, onError: (transport: Transport, error: unknown) => void) {
    this.#leaseMs = leaseMs;
    this.#onError = onError;
  }

  /** How many jobs are held. */
  get size(): number {
    return this.#held.size;
  }

  /** Keeps the job's lease from now until {@link drop}. */
  hold(job: Job): void {
    this.#held.add(job);
    this.#timer ??= setInterval(() => {
      this.#extendAll();
    }, Math.max(1, Math.floor(this.#leaseMs / 3)));
  }

  /** Stops keeping the job's lease; call it before the delivery is settled. */
  drop(job: Job): void {
    this.#held.delete(job);
  }

  /** Stops the timer now; jobs held later start it again. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #extendAll(): void {
    if (this.#held.size === 0) {
      this.stop();
      return;
    }
    for (const job of this.#held) {
      if (job.extending) continue;
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
