/**
 * Wakes waiting receives. Every wake-up (a send in this process, a NOTIFY, a reconnected
 * listener, close) bumps a generation number; a receive notes the generation before it looks
 * at the table and waits only while it is unchanged, so a wake-up that lands between its look
 * and its wait is never missed.
 */
export class WakeUps {
  #generation = 0;
  #closed = false;
  readonly #waiters = new Set<() => void>();

  /** The number of wake-ups so far. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether anyone waits now. */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** Wakes every waiter. */
  wake(): void {
    this.#generation++;
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Waits up to `ms` for a wake-up after generation `since`; resolves at once when one happened or on abort. */
  wait(since: number, ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#closed || this.#generation !== since || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Wakes every waiter and makes later waits resolve at once. */
  close(): void {
    this.#closed = true;
    this.wake();
  }
}
