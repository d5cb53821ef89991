import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineTimer } from './deadline-timer.js';

describe('DeadlineTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once, by the earliest deadline armed; a later one does not move it', () => {
    const fire = vi.fn();
    const timer = new DeadlineTimer(fire, true);
    timer.arm(1_500);
    timer.arm(1_200);
    timer.arm(1_900);
    vi.advanceTimersByTime(199);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('is unset when it fires, so the owner can arm it again for a later deadline; clear stops it', () => {
    const timer: DeadlineTimer = new DeadlineTimer(() => {
      timer.arm(Date.now() + 100);
    }, false);
    const fired = vi.spyOn(timer, 'arm');
    timer.arm(1_100);
    vi.advanceTimersByTime(100);
    expect(fired).toHaveBeenLastCalledWith(1_200);
    vi.advanceTimersByTime(100);
    expect(fired).toHaveBeenLastCalledWith(1_300);
    timer.clear();
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveBeenCalledTimes(3);
  });
});
