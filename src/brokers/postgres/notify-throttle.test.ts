import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotifyThrottle } from './notify-throttle.js';

describe('NotifyThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const setUp = (intervalMs = 5) => {
    vi.useFakeTimers();
    let now = 1_000;
    const notify = vi.fn(() => Promise.resolve());
    const throttle = new NotifyThrottle(notify, intervalMs, { quietMs: 50, burstIntervalMs: 50, now: () => now });
    const advance = (ms: number): void => {
      now += ms;
      vi.advanceTimersByTime(ms);
    };
    return { notify, throttle, advance };
  };

  it('notifies the send that starts a burst at once, then at most once per 50 ms while sends keep coming', () => {
    const { notify, throttle, advance } = setUp();
    throttle.sent();
    expect(notify).toHaveBeenCalledTimes(1);
    for (let send = 0; send < 100; send++) {
      advance(10);
      throttle.sent();
    }
    expect(notify.mock.calls.length).toBeGreaterThanOrEqual(20);
    expect(notify.mock.calls.length).toBeLessThanOrEqual(21);
    advance(100);
    expect(notify.mock.calls.length).toBeLessThanOrEqual(22);
  });

  it('sends a trailing NOTIFY at the end of the burst interval for sends after the first', () => {
    const { notify, throttle, advance } = setUp();
    throttle.sent();
    advance(10);
    throttle.sent();
    expect(notify).toHaveBeenCalledTimes(1);
    advance(39);
    expect(notify).toHaveBeenCalledTimes(1);
    advance(1);
    expect(notify).toHaveBeenCalledTimes(2);
  });

  it('notifies a send after a quiet gap at once, and a retry or release at once even inside a burst', () => {
    const { notify, throttle, advance } = setUp();
    throttle.sent();
    advance(60);
    throttle.sent();
    expect(notify).toHaveBeenCalledTimes(2);
    advance(10);
    throttle.sent();
    throttle.changed();
    expect(notify).toHaveBeenCalledTimes(3);
    advance(10);
    throttle.sent();
    advance(40);
    expect(notify).toHaveBeenCalledTimes(4);
    advance(60);
    throttle.changed();
    advance(10);
    throttle.sent();
    expect(notify).toHaveBeenCalledTimes(6);
  });

  it('keeps at least intervalMs between two NOTIFYs, and drops what is pending on close', () => {
    const { notify, throttle, advance } = setUp(200);
    throttle.sent();
    advance(100);
    throttle.changed();
    expect(notify).toHaveBeenCalledTimes(1);
    advance(100);
    expect(notify).toHaveBeenCalledTimes(2);
    advance(50);
    throttle.changed();
    throttle.close();
    advance(1_000);
    throttle.sent();
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
