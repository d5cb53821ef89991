/**
 * Decides when to NOTIFY. A send that starts a burst (no send from this transport in the last
 * `quietMs`) notifies at once; while sends keep coming less than `quietMs` apart, at most one
 * NOTIFY per `burstIntervalMs` follows, the last one at the end of the burst's interval. Other
 * wake-ups (a retry, a release, a redrive) notify at once. Never more than one NOTIFY per
 * `intervalMs`; requests in between share the next one.
 *
 * Why so few during a burst: each NOTIFY wakes every listening connection and process and
 * takes a database-wide lock through its commit, so under sustained load one per send costs the
 * database more than the messages. The receives taking the burst's messages need none (one that
 * found messages in the last {@link BUSY_WINDOW_MS} looks at the table every
 * {@link BUSY_POLL_MS}); an idle one hears of the burst within `burstIntervalMs`.
 *
 * A NOTIFY is never sent inside the INSERT's transaction: that would hold the lock through the
 * INSERT's disk flush, and commits of concurrent sends would queue behind each other (measured
 * on this project's CI machine: p99 of 190 to 270 ms at 1,000 messages per second).
 */
export class NotifyThrottle {
  readonly #notify: () => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #quietMs: number;
  readonly #burstIntervalMs: number;
  readonly #now: () => number;
  #lastSentAt = -Infinity;
  #lastNotifiedAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #closed = false;

  /** @param notify sends one NOTIFY; its failure is ignored, since polling finds the messages anyway. */
  constructor(
    notify: () => Promise<unknown>,
    intervalMs: number,
    {
      quietMs = NOTIFY_QUIET_MS,
      burstIntervalMs = BURST_NOTIFY_INTERVAL_MS,
      now = Date.now,
    }: { quietMs?: number | undefined; burstIntervalMs?: number | undefined; now?: (() => number) | undefined } = {},
  ) {
    this.#notify = notify;
    this.#intervalMs = intervalMs;
    this.#quietMs = quietMs;
    this.#burstIntervalMs = Math.max(intervalMs, burstIntervalMs);
    this.#now = now;
  }

  /** After a committed send: NOTIFYs at once if it starts a burst, else at most once per burst interval. */
  sent(): void {
    const now = this.#now();
    const startsBurst = now - this.#lastSentAt >= this.#quietMs;
    this.#lastSentAt = now;
    this.#request(now, startsBurst ? this.#intervalMs : this.#burstIntervalMs);
  }

  /** After another change that may wake receives (retry, release, redrive): NOTIFYs as soon as the interval allows. */
  changed(): void {
    this.#request(this.#now(), this.#intervalMs);
  }

  /** Drops any pending NOTIFY. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #request(now: number, gapMs: number): void {
    if (this.#closed) return;
    const at = this.#lastNotifiedAt + gapMs;
    if (at <= now) {
      this.#send(now);
      return;
    }
    if (at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      if (!this.#closed) this.#send(this.#now());
    }, at - now);
    this.#timer.unref();
  }

  #send(now: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#lastNotifiedAt = now;
    void this.#notify().catch(() => undefined);
  }
}

/** Sends less than this far apart (in ms) are one burst. */
export const NOTIFY_QUIET_MS = 50;

/** During a burst, the shortest gap (in ms) between two NOTIFYs from one transport. */
export const BURST_NOTIFY_INTERVAL_MS = 50;

/** A receive that found messages less than this long ago (in ms) polls every {@link BUSY_POLL_MS}. */
export const BUSY_WINDOW_MS = 500;

/** How often (in ms) a receive in its busy window looks at the table while it finds it empty. */
export const BUSY_POLL_MS = 10;
