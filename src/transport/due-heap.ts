/** One scheduled item: `value` becomes due at `at` (epoch milliseconds). */
export interface DueItem<T> {
  readonly at: number;
  readonly value: T;
}

/**
 * A binary min-heap of items ordered by due time, earliest first; items due at the same time
 * come out in the order they were pushed.
 *
 * Used by the in-memory transport to keep delayed messages and lease ends on one timer.
 */
export class DueHeap<T> {
  readonly #items: (DueItem<T> & { readonly order: number })[] = [];
  #pushed = 0;

  /** How many items are scheduled. */
  get size(): number {
    return this.#items.length;
  }

  /** Schedules `value` for `at`. */
  push(at: number, value: T): void {
    const items = this.#items;
    items.push({ at, value, order: this.#pushed++ });
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(index, parent)) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  /** The earliest item, left in place, or `undefined` when empty. */
  peek(): DueItem<T> | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest item, or `undefined` when empty. */
  pop(): DueItem<T> | undefined {
    const items = this.#items;
    const first = items[0];
    const last = items.pop();
    if (first === undefined || last === undefined || items.length === 0) return first;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && this.#before(left, smallest)) smallest = left;
      if (right < items.length && this.#before(right, smallest)) smallest = right;
      if (smallest === index) return first;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  #before(a: number, b: number): boolean {
    const x = this.#items[a];
    const y = this.#items[b];
    if (x === undefined || y === undefined) return false;
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const x = items[a];
    const y = items[b];
    if (x === undefined || y === undefined) return;
    items[a] = y;
    items[b] = x;
  }
}
