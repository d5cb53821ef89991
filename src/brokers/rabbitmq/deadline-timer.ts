/**
 * One timer for the earliest of many deadlines (leases, waiting receives): arming it for a time
 * later than it is set for does nothing, so its owner arms it for every new deadline, and finds
 * and arms the next one when it fires.
 */
export class DeadlineTimer {
  readonly #fire: () => void;
  readonly #unref: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #at = Infinity;

  /**
   * @param fire called once the timer is due; the timer is unset by then.
   * @param unref whether the timer lets the process exit while it is set.
   */
  constructor(fire: () => void, unref: boolean) {
    this.#fire = fire;
    this.#unref = unref;
  }

  /** Makes the timer fire by `at` (epoch milliseconds) at the latest. */
  arm(at: number): void {
    if (at >= this.#at) return;
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(
      () => {
        this.#at = Infinity;
        this.#fire();
      },
      Math.max(0, at - Date.now()),
    );
    if (this.#unref) this.#timer.unref();
  }

  /** Stops the timer. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#at = Infinity;
  }
}
