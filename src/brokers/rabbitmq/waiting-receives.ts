import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import { DeadlineTimer } from './deadline-timer.js';

/** A `receive` waiting for deliveries until `deadline` (epoch milliseconds). */
export interface Waiter {
  readonly options: ReceiveOptions;
  readonly deadline: number;
  readonly resolve: (deliveries: Delivery[]) => void;
}

/**
 * The receives waiting for deliveries, oldest first, each resolved once: with deliveries, or
 * with nothing at its `waitMs` deadline (one timer for the earliest), when its signal aborts, or
 * when the consumer is lost.
 */
export class WaitingReceives {
  #waiters: Waiter[] = [];
  readonly #timer = new DeadlineTimer(() => {
    this.#expire();
  }, false);
  readonly #onFinished: () => void;

  /** @param onFinished is told after a waiting receive was resolved. */
  constructor(onFinished: () => void) {
    this.#onFinished = onFinished;
  }

  /** How many receives wait. */
  get length(): number {
    return this.#waiters.length;
  }

  /** The receive waiting longest, if any. */
  get first(): Waiter | undefined {
    return this.#waiters[0];
  }

  /** Waits up to `options.waitMs` for deliveries. */
  wait(options: ReceiveOptions): Promise<Delivery[]> {
    return new Promise((resolve) => {
      const deadline = Date.now() + options.waitMs;
      this.#waiters.push({ options, deadline, resolve });
      this.#timer.arm(deadline);
    });
  }

  /** Resolves a waiting receive with `deliveries`. */
  finish(waiter: Waiter, deliveries: Delivery[]): void {
    const index = this.#waiters.indexOf(waiter);
    if (index === -1) return;
    this.#waiters.splice(index, 1);
    waiter.resolve(deliveries);
    this.#onFinished();
  }

  /** Resolves every waiting receive that `which` accepts (all when absent) with nothing. */
  finishAll(which?: (waiter: Waiter) => boolean): void {
    for (const waiter of [...this.#waiters]) if (which === undefined || which(waiter)) this.finish(waiter, []);
  }

  /** Resolves every waiting receive with nothing and stops the timer. */
  close(): void {
    this.finishAll();
    this.#timer.clear();
  }

  #expire(): void {
    const now = Date.now();
    this.finishAll((waiter) => waiter.deadline <= now);
    let next = Infinity;
    for (const waiter of this.#waiters) next = Math.min(next, waiter.deadline);
    if (next !== Infinity) this.#timer.arm(next);
  }
}
