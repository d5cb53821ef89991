import { describe, expect, it } from 'vitest';
import { StopLimitTracker } from './stop-limits.js';

const none = { maxMessages: Infinity, maxRuntimeMs: Infinity, maxMemoryMb: Infinity };

describe('StopLimitTracker', () => {
  it('reaches max-messages once that many were taken', () => {
    const limits = new StopLimitTracker({ ...none, maxMessages: 2 });
    limits.took(1);
    expect([limits.reached(), limits.remaining]).toEqual([undefined, 1]);
    limits.took(1);
    expect(limits.reached()).toBe('max-messages');
  });

  it('reaches max-memory when resident memory exceeds maxMemoryMb', () => {
    let rss = 100 * 1024 * 1024;
    const limits = new StopLimitTracker({ ...none, maxMemoryMb: 128 }, () => rss);
    expect(limits.reached()).toBeUndefined();
    rss = 129 * 1024 * 1024;
    expect(limits.reached()).toBe('max-memory');
  });

  it('reaches max-runtime after maxRuntimeMs', async () => {
    const limits = new StopLimitTracker({ ...none, maxRuntimeMs: 20 });
    expect(limits.reached()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 25));
    expect(limits.reached()).toBe('max-runtime');
  });

  it('never reaches anything without limits', () => {
    const limits = new StopLimitTracker(none, () => Number.MAX_SAFE_INTEGER);
    limits.took(1_000_000);
    expect(limits.reached()).toBeUndefined();
  });
});
