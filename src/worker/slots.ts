/**
 * A counting semaphore for the worker's concurrency limit: at most `size` slots are taken at
 * any time, across every transport the worker consumes.
 */
export class Slots {
  /** How many slots there are. */
  readonly size: number;
  #taken = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(size: number) {
    this.size = size;
  }

  /** How many slots are taken now. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * Takes one slot, waiting for one to be free. Resolves `false` without taking one when
   * `signal` aborts first.
   */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#taken < this.size) {
      this.#taken++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal.removeEventListener('abort', abort);
        resolve(true);
      };
      const abort = (): void => {
        const index = this.#waiters.indexOf(grant);
        if (index !== -1) this.#waiters.splice(index, 1);
        resolve(false);
      };
      this.#waiters.push(grant);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Takes up to `count` more slots if they are free now, without waiting; returns how many it took. */
  take(count: number): number {
    const taken = Math.max(0, Math.min(count, this.size - this.#taken));
    this.#taken += taken;
    return taken;
  }

  /** Gives back `count` slots, handing each to a waiter first. */
  release(count = 1): void {
    for (let index = 0; index < count; index++) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#taken--;
      else waiter();
    }
  }
}
