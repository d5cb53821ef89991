import { describe, expect, it } from 'vitest';
import type { Delivery, Transport } from '../transport/transport.js';
import { Job } from './job.js';

const delivery: Delivery = { id: 'm-1', receipt: 'r-1', headers: {}, body: new Uint8Array(), deliveryCount: 1 };
const job = (): Job => new Job({ name: 'fake' } as Transport, delivery);

describe('Job', () => {
  it('settles once, from running only', () => {
    const settling = job();
    expect(settling.settle()).toBe(true);
    expect(settling.state).toBe('settling');
    expect(settling.settle()).toBe(false);
    expect(settling.giveUp(new Error('late'))).toBe(false);
    expect(settling.release()).toBe(false);
    expect(settling.state).toBe('settling');
  });

  it('is given up from running only, with its signal aborted even when read afterwards, and then released once', () => {
    const late = job();
    const reason = new Error('shutdown');
    expect(late.release()).toBe(false);
    expect(late.giveUp(reason)).toBe(true);
    expect(late.isGivenUp()).toBe(true);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
    // Its handler settles after the shutdown gave up on it: no outcome is written, the message is released.
    expect(late.settle()).toBe(false);
    expect(late.release()).toBe(true);
    expect(late.state).toBe('released');
    expect(late.isGivenUp()).toBe(false);
    expect(late.release()).toBe(false);
  });

  it('gives a handler that read its signal before the shutdown the same signal, aborted by giveUp', () => {
    const running = job();
    const signal = running.signal;
    expect(signal.aborted).toBe(false);
    running.giveUp('timeout');
    expect(running.signal).toBe(signal);
    expect(signal.reason).toBe('timeout');
  });
});
