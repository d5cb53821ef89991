interface Pending<T> {
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: writes that arrive while one statement is running are written together by the
 * next one. At low load each write is its own statement (no added latency); under load one
 * transaction carries many, which is what PostgreSQL's commit cost rewards.
 *
 * Each `add` resolves once the statement that carried its items committed, and rejects with
 * that statement's error. Items of one `add` always travel in the same statement.
 */
export class WriteBatcher<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #maxItems: number;
  #queue: Pending<T>[] = [];
  #running: Promise<void> | undefined;

  /** @param maxItems a statement takes more `add`s while it has fewer items than this. */
  constructor(write: (items: T[]) => Promise<void>, maxItems: number) {
    this.#write = write;
    this.#maxItems = maxItems;
  }

  /** Queues items for the next statement; resolves once it committed. */
  add(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Resolves once every queued write has been written (or has failed). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    // Let writes made in this turn of the event loop (handlers settling together) join the first statement.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#take();
      try {
        await this.#write(batch.flatMap((pending) => pending.items));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#running = undefined;
  }

  #take(): Pending<T>[] {
    let count = 0;
    let taken = 0;
    while (taken < this.#queue.length && (taken === 0 || count + (this.#queue[taken]?.items.length ?? 0) <= this.#maxItems)) {
      count += this.#queue[taken]?.items.length ?? 0;
      taken++;
    }
    return this.#queue.splice(0, taken);
  }
}
