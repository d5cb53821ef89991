import { describe, expect, it } from 'vitest';
import { ClosedGuard } from './closed-guard.js';
import { TransportClosedError } from './transport-errors.js';

describe('ClosedGuard', () => {
  it('lets operations through until closing starts, then throws TransportClosedError naming the operation', () => {
    const guard = new ClosedGuard('memory:test');
    expect(() => guard.check('send')).not.toThrow();
    expect(guard.closing).toBe(false);
    void guard.close(() => new Promise(() => undefined));
    expect(guard.closing).toBe(true);
    expect(() => guard.check('send')).toThrow(TransportClosedError);
    expect(() => guard.check('send')).toThrow('Cannot send on transport "memory:test": it is closed.');
  });

  it('runs the close work once, at once, and gives every caller the same promise', async () => {
    const guard = new ClosedGuard('t');
    let runs = 0;
    let seenClosing: boolean | undefined;
    const first = guard.close(async () => {
      runs++;
      seenClosing = guard.closing;
      await Promise.resolve();
    });
    expect(runs).toBe(1);
    expect(seenClosing).toBe(true);
    const second = guard.close(() => Promise.reject(new Error('not run')));
    expect(second).toBe(first);
    await first;
    expect(runs).toBe(1);
  });

  it('returns the same promise to a close() called from inside the close work', async () => {
    const guard = new ClosedGuard('t');
    let inner: Promise<void> | undefined;
    const outer = guard.close(() => {
      inner = guard.close(() => Promise.resolve());
      return Promise.resolve();
    });
    expect(inner).toBe(outer);
    await outer;
  });

  it('rejects every caller when the close work fails, even synchronously', async () => {
    const guard = new ClosedGuard('t');
    const first = guard.close(() => {
      throw new Error('boom');
    });
    await expect(first).rejects.toThrow('boom');
    await expect(guard.close(() => Promise.resolve())).rejects.toThrow('boom');
  });

  it('gives its refusal as a rejected promise for operations that are not async, and nothing while open', async () => {
    const guard = new ClosedGuard('memory:jobs');
    expect(guard.refusal('ack')).toBeUndefined();
    void guard.close(() => Promise.resolve());
    await expect(guard.refusal('ack')).rejects.toThrow(TransportClosedError);
    await expect(guard.refusal('ack')).rejects.toThrow(/ack/);
  });
});
