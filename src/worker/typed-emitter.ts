/** A listener of one event: called with that event's payload. */
export type Listener<T> = (payload: T) => void;

/**
 * A minimal typed event emitter: `on`, `once`, `off`, `emit`, no dependency.
 *
 * Listeners run synchronously in the order they were added. A listener that throws does not
 * stop the others nor the emitter's owner: its error goes to `onListenerError`.
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  /** @param onListenerError receives errors thrown by listeners. */
  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /**
   * Calls `listener` on every `event` until `off` is called; returns a function that removes it.
   *
   * @throws {TypeError} when `listener` is not a function.
   */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`on("${String(event)}", listener) expects a function; got ${typeof listener}.`);
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      this.off(event, listener);
    };
  }

  /** Calls `listener` on the next `event` only; returns a function that removes it. */
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const wrapped: Listener<Events[E]> = (payload) => {
      remove();
      listener(payload);
    };
    const remove = this.on(event, wrapped);
    return remove;
  }

  /** Removes a listener added with `on`; does nothing if it is not there. */
  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Calls the listeners of `event` with `payload`. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set] as Listener<Events[E]>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
