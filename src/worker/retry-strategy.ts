import { backoffCeiling, backoffDelay } from '../transport/backoff.js';
import { functionOption, numberOption, objectOption } from '../check-option.js';

/** Options of {@link RetryStrategy}. */
export interface RetryOptions {
  /** How many attempts a message gets in all, the first included; 1 means no retry. @default 5 */
  readonly maxAttempts?: number | undefined;
  /** The delay ceiling after the first failed attempt, in milliseconds. @default 1_000 */
  readonly baseMs?: number | undefined;
  /** Each further failure multiplies the ceiling by this. @default 2 */
  readonly factor?: number | undefined;
  /** No delay is longer than this, in milliseconds. @default 3_600_000 (one hour) */
  readonly capMs?: number | undefined;
  /** A source of numbers in [0, 1); inject a fixed one to make delays deterministic in tests. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/**
 * Decides whether a failed message is tried again and after how long: exponential backoff with
 * full jitter. After the n-th failed attempt the delay is drawn uniformly from
 * `[0, min(capMs, baseMs × factor^(n-1))]`, which spreads a burst of failures over the whole
 * window instead of retrying them in lockstep.
 *
 * Subclass it and override `shouldRetry` or `delayMs` for another policy.
 *
 * @example
 * new Worker({ transports, bus, retry: new RetryStrategy({ maxAttempts: 8, baseMs: 500, capMs: 60_000 }) });
 */
export class RetryStrategy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Ceiling after the first failure, in milliseconds. */
  readonly baseMs: number;
  /** Growth of the ceiling per failure. */
  readonly factor: number;
  /** Largest delay, in milliseconds. */
  readonly capMs: number;
  readonly #random: () => number;

  /** @throws {TypeError} when an option breaks its rule, naming the option and the value. */
  constructor(options: RetryOptions = {}) {
    const checked = objectOption('RetryStrategy', 'options', options);
    this.maxAttempts = numberOption('RetryStrategy', 'maxAttempts', checked['maxAttempts'], 5, { min: 1, integer: true, infinite: true });
    this.baseMs = numberOption('RetryStrategy', 'baseMs', checked['baseMs'], 1_000, { min: 0 });
    this.factor = numberOption('RetryStrategy', 'factor', checked['factor'], 2, { min: 1 });
    this.capMs = numberOption('RetryStrategy', 'capMs', checked['capMs'], 3_600_000, { min: 0 });
    this.#random = functionOption<() => number>('RetryStrategy', 'random', checked['random'], Math.random, 'a function returning a number in [0, 1)');
  }

  /** Whether a message whose `attempt`-th attempt (1-based) just failed is tried again. */
  shouldRetry(attempt: number): boolean {
    return attempt < this.maxAttempts;
  }

  /** The upper bound of the delay after the `attempt`-th failed attempt, in milliseconds. */
  ceilingMs(attempt: number): number {
    return backoffCeiling(attempt, this);
  }

  /** The delay before the next attempt after the `attempt`-th failed one: full jitter under {@link ceilingMs}. */
  delayMs(attempt: number): number {
    return backoffDelay(attempt, this, this.#random);
  }
}
