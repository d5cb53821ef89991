/**
 * Decides when a send NOTIFYs: only a send that follows `quietMs` without sends from this
 * transport (the start of a burst), and at most one per `intervalMs`; requests made during the
 * interval share one NOTIFY at its end.
 *
 * While sends keep coming less than `quietMs` apart, no NOTIFY is needed: a receive that found
 * messages in the last {@link BUSY_WINDOW_MS} polls every {@link BUSY_POLL_MS} while the table
 * looks empty, and a receive idle for longer was woken by the NOTIFY of the burst's first send
 * (or finds the messages at its next poll). Each NOTIFY wakes every listening connection and
 * process and takes a database-wide lock through its commit, so under sustained load sending
 * one per send would cost the database more than the messages themselves.
 *
 * A NOTIFY is never sent inside the INSERT's transaction: that would hold the lock through the
 * INSERT's disk flush, and commits of concurrent sends would queue behind each other (measured
 * on this project's CI machine: p99 of 190 to 270 ms at 1,000 messages per second).
 */
export class NotifyThrottle {
  readonly #notify: () => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #quietMs: number;
  readonly #now: () => number;
  #lastRequestAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending = false;
  #closed = false;

  /**
   * @param notify sends one NOTIFY; its failure is ignored, since polling finds the messages anyway.
   * @param quietMs how long without sends makes the next send the start of a burst.
   */
  constructor(notify: () => Promise<unknown>, intervalMs: number, quietMs = NOTIFY_QUIET_MS, now: () => number = Date.now) {
    this.#notify = notify;
    this.#intervalMs = intervalMs;
    this.#quietMs = quietMs;
    this.#now = now;
  }

  /** Called after each committed send: NOTIFYs now or at the end of the current interval if the send starts a burst. */
  request(): void {
    if (this.#closed) return;
    const now = this.#now();
    const startsBurst = now - this.#lastRequestAt >= this.#quietMs;
    this.#lastRequestAt = now;
    if (!startsBurst) return;
    if (this.#timer !== undefined) {
      this.#pending = true;
      return;
    }
    this.#send();
  }

  /** Drops any pending NOTIFY. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #send(): void {
    this.#pending = false;
    void this.#notify().catch(() => undefined);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending && !this.#closed) this.#send();
    }, this.#intervalMs);
    this.#timer.unref();
  }
}

/** Sends less than this far apart (in ms) are one burst, and only its first send NOTIFYs. */
export const NOTIFY_QUIET_MS = 50;

/** A receive that found messages less than this long ago (in ms) polls every {@link BUSY_POLL_MS}. */
export const BUSY_WINDOW_MS = 500;

/** How often (in ms) a receive in its busy window looks at the table while it finds it empty. */
export const BUSY_POLL_MS = 10;
