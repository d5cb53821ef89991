import { describe, expect, it } from 'vitest';
import { RetryStrategy } from './retry-strategy.js';

describe('RetryStrategy', () => {
  it('allows maxAttempts attempts in all, the first included', () => {
    const strategy = new RetryStrategy({ maxAttempts: 3 });
    expect([1, 2, 3, 4].map((attempt) => strategy.shouldRetry(attempt))).toEqual([true, true, false, false]);
  });

  it('grows the ceiling by factor from baseMs and caps it at capMs', () => {
    const strategy = new RetryStrategy({ baseMs: 100, factor: 3, capMs: 1_000 });
    expect([1, 2, 3, 4, 10].map((attempt) => strategy.ceilingMs(attempt))).toEqual([100, 300, 900, 1_000, 1_000]);
  });

  it('draws each delay uniformly under the ceiling (full jitter)', () => {
    const draws = [0, 0.5, 0.999_999];
    const strategy = new RetryStrategy({ baseMs: 1_000, factor: 2, capMs: 60_000, random: () => draws.shift() ?? 0 });
    expect(strategy.delayMs(2)).toBe(0);
    expect(strategy.delayMs(2)).toBe(1_000);
    expect(strategy.delayMs(2)).toBe(1_999);
  });

  it('keeps every delay within [0, ceiling] with the default random source', () => {
    const strategy = new RetryStrategy({ baseMs: 10, capMs: 200 });
    for (let attempt = 1; attempt < 12; attempt++) {
      const delay = strategy.delayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(strategy.ceilingMs(attempt));
    }
  });

  it('has the documented defaults', () => {
    const strategy = new RetryStrategy();
    expect([strategy.maxAttempts, strategy.baseMs, strategy.factor, strategy.capMs]).toEqual([5, 1_000, 2, 3_600_000]);
  });

  it('refuses invalid options, naming the option, the rule and the value', () => {
    expect(() => new RetryStrategy({ maxAttempts: 0 })).toThrow('RetryStrategy option "maxAttempts" must be an integer >= 1 or Infinity; got the number 0.');
    expect(() => new RetryStrategy({ baseMs: -1 })).toThrow('RetryStrategy option "baseMs" must be a finite number >= 0; got the number -1.');
    expect(() => new RetryStrategy({ random: 4 as never })).toThrow(
      'RetryStrategy option "random" must be a function returning a number in [0, 1); got the number 4.',
    );
  });
});
