interface Pending<T> {
  readonly item: T;
  readonly weight: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: writes that arrive while one statement is running are written together by the
 * next one. At low load each write is its own statement (no added latency); under load one
 * transaction carries many, which is what PostgreSQL's commit cost rewards.
 *
 * Each `add` resolves once the statement that carried its item committed, and rejects with
 * that statement's error.
 */
export class WriteBatcher<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #maxWeight: number;
  #queue: Pending<T>[] = [];
  #running: Promise<void> | undefined;

  /** @param maxWeight a statement takes more items while their weights add up to less than this. */
  constructor(write: (items: T[]) => Promise<void>, maxWeight: number) {
    this.#write = write;
    this.#maxWeight = maxWeight;
  }

  /** Queues an item for the next statement; resolves once it committed. */
  add(item: T, weight = 1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, weight, resolve, reject });
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
        await this.#write(batch.map((pending) => pending.item));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#running = undefined;
  }

  #take(): Pending<T>[] {
    let weight = 0;
    let taken = 0;
    for (const pending of this.#queue) {
      if (taken > 0 && weight + pending.weight > this.#maxWeight) break;
      weight += pending.weight;
      taken++;
    }
    return this.#queue.splice(0, taken);
  }
}
