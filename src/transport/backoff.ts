/** The shape of a {@link backoffDelay}: how the ceiling grows and where it stops. */
export interface BackoffOptions {
  /** The ceiling after the first failed attempt, in milliseconds. */
  readonly baseMs: number;
  /** Each further failure multiplies the ceiling by this. @default 2 */
  readonly factor?: number | undefined;
  /** No delay is longer than this, in milliseconds. */
  readonly capMs: number;
}

/**
 * The one backoff of troopy (retries, reconnections, polling after errors): capped exponential
 * with full jitter. After the `attempt`-th failure (1-based) the delay is drawn uniformly from
 * `[0, min(capMs, baseMs × factor^(attempt − 1))]` and rounded down to whole milliseconds, which
 * spreads a burst of failures over the whole window instead of retrying them in lockstep.
 *
 * An `attempt` below 1 counts as 1; a `random` outside [0, 1] is clamped.
 *
 * @param random a source of numbers in [0, 1); inject a fixed one for deterministic tests.
 * @example
 * setTimeout(reconnect, backoffDelay(failures, { baseMs: 100, capMs: 2_000 }));
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * backoffCeiling(attempt, options));
}

/** The upper bound of {@link backoffDelay} after the `attempt`-th failure: `min(capMs, baseMs × factor^(attempt − 1))`. */
export function backoffCeiling(attempt: number, { baseMs, factor = 2, capMs }: BackoffOptions): number {
  // baseMs 0 times an overflowed Infinity would be NaN.
  if (baseMs === 0) return 0;
  return Math.min(capMs, baseMs * factor ** Math.max(0, attempt - 1));
}
