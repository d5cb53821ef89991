import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotifyThrottle } from './notify-throttle.js';

describe('NotifyThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const setUp = () => {
    vi.useFakeTimers();
    let now = 1_000;
    const notify = vi.fn(() => Promise.resolve());
    const throttle = new NotifyThrottle(notify, 5, 50, () => now);
    return { notify, throttle, advance: (ms: number) => ((now += ms), vi.advanceTimersByTime(ms)) };
  };

  it('notifies the first send of a burst at once and no later send of the burst', () => {
    const { notify, throttle, advance } = setUp();
    throttle.request();
    expect(notify).toHaveBeenCalledTimes(1);
    for (let send = 0; send < 100; send++) {
      advance(10);
      throttle.request();
    }
    advance(100);
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('notifies again for a send after a quiet gap, and at most once per interval', () => {
    const { notify, throttle, advance } = setUp();
    throttle.request();
    advance(60);
    throttle.request();
    expect(notify).toHaveBeenCalledTimes(2);
    const slow = new NotifyThrottle(notify, 1_000, 50, () => 0);
    slow.request();
    expect(notify).toHaveBeenCalledTimes(3);
    slow.close();
  });

  it('a burst start inside the interval notifies at the interval end, and nothing after close', () => {
    vi.useFakeTimers();
    let now = 0;
    const notify = vi.fn(() => Promise.resolve());
    const throttle = new NotifyThrottle(notify, 200, 50, () => now);
    throttle.request();
    now += 100;
    vi.advanceTimersByTime(100);
    throttle.request();
    expect(notify).toHaveBeenCalledTimes(1);
    now += 100;
    vi.advanceTimersByTime(100);
    expect(notify).toHaveBeenCalledTimes(2);
    now += 300;
    vi.advanceTimersByTime(300);
    throttle.close();
    throttle.request();
    vi.advanceTimersByTime(1_000);
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
