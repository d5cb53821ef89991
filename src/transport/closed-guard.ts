import { TransportClosedError } from './transport-errors.js';

/**
 * The one closed-guard of troopy's transports: once `close()` has been called, every operation
 * that {@link check}s it throws `TransportClosedError`, and every later `close()` returns the
 * same promise, so closing runs once however many callers ask for it.
 *
 * @example
 * readonly #guard = new ClosedGuard(this.name);
 * send(messages) { this.#guard.check('send'); ... }
 * close() { return this.#guard.close(() => this.#connection.end()); }
 */
export class ClosedGuard {
  /** The transport's name, as `TransportClosedError` quotes it. */
  readonly name: string;
  #closing: Promise<void> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Whether closing has started (it may not have finished). */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Throws once closing has started.
   *
   * @param operation what was refused, for the message: `send`, `extend a lease`.
   * @throws {TransportClosedError} once `close()` has been called.
   */
  check(operation: string): void {
    if (this.#closing !== undefined) throw new TransportClosedError(this.name, operation);
  }

  /**
   * The refusal as a rejected promise, for an operation that is not `async` (an ack that returns
   * its outcome's own promise); `undefined` while the transport is open.
   *
   * @example
   * ack(delivery) { return this.#guard.refusal('ack') ?? this.#outcomes.ack(delivery); }
   */
  refusal(operation: string): Promise<never> | undefined {
    return this.#closing === undefined ? undefined : Promise.reject(new TransportClosedError(this.name, operation));
  }

  /**
   * Marks the transport closing (so {@link check} throws from now on), then runs `run` once, at
   * once; every call, one made from inside `run` included, returns the promise of that one run.
   * A `run` that throws gives a rejected promise.
   */
  close(run: () => Promise<void>): Promise<void> {
    if (this.#closing === undefined) {
      let settle!: (outcome: Promise<void>) => void;
      // Assigned before run starts, so that run (and what it calls) already sees the guard closed.
      this.#closing = new Promise<void>((resolve) => (settle = resolve));
      try {
        settle(run());
      } catch (error) {
        settle(Promise.reject(error instanceof Error ? error : new Error(String(error))));
      }
    }
    return this.#closing;
  }
}
