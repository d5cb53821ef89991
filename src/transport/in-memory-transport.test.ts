import { describe, expect, it, vi } from 'vitest';
import { transportContract } from '../testing/transport-contract.js';
import { InMemoryTransport } from './in-memory-transport.js';
import { TransportClosedError } from './transport-errors.js';

transportContract({ name: 'InMemoryTransport', create: () => Promise.resolve(new InMemoryTransport()), describe, it });

const message = (id: string, notBefore?: number) => ({
  id,
  headers: { 'message-name': 'test' },
  body: new Uint8Array([1, 2, 3]),
  ...(notBefore === undefined ? {} : { notBefore }),
});

describe('InMemoryTransport', () => {
  it('keeps its own copy of sent bytes and headers', async () => {
    const transport = new InMemoryTransport();
    const sent = { id: 'copy', headers: { a: '1' } as Record<string, string>, body: new Uint8Array([1, 2, 3]) };
    await transport.send([sent]);
    sent.body[0] = 9;
    sent.headers.a = 'changed';
    const [delivery] = await transport.receive({ max: 1, leaseMs: 1_000, waitMs: 0 });
    expect([...delivery!.body]).toEqual([1, 2, 3]);
    expect(delivery!.headers).toEqual({ a: '1' });
  });

  it('wakes a waiting receive for a delayed message with one timer, under fake timers', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const transport = new InMemoryTransport();
      await transport.send([message('later', 1_000_000 + 5_000)]);
      const pending = transport.receive({ max: 1, leaseMs: 1_000, waitMs: 60_000 });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(vi.getTimerCount()).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect((await pending).map((delivery) => delivery.id)).toEqual(['later']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs no timer while nobody waits, even with leases and delays outstanding', async () => {
    vi.useFakeTimers();
    try {
      const transport = new InMemoryTransport();
      await transport.send([message('now'), message('later', Date.now() + 10_000)]);
      await transport.receive({ max: 10, leaseMs: 1_000, waitMs: 0 });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores extendLease and release from a delivery whose lease passed to another', async () => {
    vi.useFakeTimers();
    try {
      const transport = new InMemoryTransport();
      await transport.send([message('stale')]);
      const [old] = await transport.receive({ max: 1, leaseMs: 100, waitMs: 0 });
      vi.advanceTimersByTime(100);
      const [current] = await transport.receive({ max: 1, leaseMs: 1_000, waitMs: 0 });
      expect(current!.deliveryCount).toBe(2);
      await transport.release(old!);
      await transport.extendLease(old!, 1);
      expect(await transport.receive({ max: 1, leaseMs: 1_000, waitMs: 0 })).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not arm an overflowing timer for a far-future delay', async () => {
    const transport = new InMemoryTransport();
    await transport.send([message('next-year', Date.now() + 365 * 24 * 3_600_000)]);
    expect(await transport.receive({ max: 1, leaseMs: 1_000, waitMs: 50 })).toEqual([]);
  });

  it('rejects sends and acks after close with TransportClosedError', async () => {
    const transport = new InMemoryTransport({ name: 'memory:test' });
    await transport.close();
    await expect(transport.send([message('late')])).rejects.toBeInstanceOf(TransportClosedError);
    await expect(transport.send([message('late')])).rejects.toThrow(/memory:test/);
  });

  it('names the option and the value in TypeErrors', async () => {
    const transport = new InMemoryTransport();
    await expect(transport.receive({ max: 0, leaseMs: 1, waitMs: 0 })).rejects.toThrow('receive option "max" must be an integer >= 1; got the number 0');
    await expect(transport.send([{ id: '', headers: {}, body: new Uint8Array() }])).rejects.toThrow(TypeError);
    await expect(transport.deadLetters.list({ limit: 0 })).rejects.toThrow('"limit"');
    expect(() => new InMemoryTransport({ name: '' })).toThrow('option "name"');
  });
});
