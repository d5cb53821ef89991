import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const options = { baseMs: 100, capMs: 1_000 };

  it('grows the ceiling by the factor (2 by default) from baseMs after the first failure, up to capMs', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffCeiling(attempt, options))).toEqual([100, 200, 400, 800, 1_000]);
    expect(backoffCeiling(3, { ...options, factor: 3 })).toBe(900);
  });

  it('draws the delay uniformly under the ceiling (full jitter), in whole milliseconds', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
    expect(backoffDelay(3, options, () => 0.99999)).toBe(399);
    for (let draw = 0; draw < 100; draw++) {
      const delay = backoffDelay(4, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('stays at capMs, never NaN or Infinity, after very many failures, even from a baseMs of 0', () => {
    expect(backoffCeiling(10_000, options)).toBe(1_000);
    expect(backoffCeiling(10_000, { baseMs: 0, capMs: 1_000 })).toBe(0);
    expect(backoffDelay(10_000, options, () => 0.5)).toBe(500);
  });

  it('counts an attempt below 1 as the first and clamps a random outside [0, 1]', () => {
    expect(backoffCeiling(0, options)).toBe(100);
    expect(backoffDelay(2, options, () => 7)).toBe(200);
    expect(backoffDelay(2, options, () => -1)).toBe(0);
  });
});
