import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery, Transport } from '../transport/transport.js';
import { Job } from './job.js';
import { JobList } from './job-list.js';
import { LeaseKeeper } from './lease-keeper.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A transport whose extendLease records its calls and answers when the test says. */
function transportWithPendingExtensions() {
  const extensions: { readonly receipt: string; readonly leaseMs: number; readonly answer: (error?: Error) => void }[] = [];
  const transport = {
    name: 'fake',
    extendLease: (delivery: Delivery, leaseMs: number) =>
      new Promise<void>((resolve, reject) => {
        extensions.push({ receipt: delivery.receipt, leaseMs, answer: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
  } as unknown as Transport;
  const jobs = new JobList();
  const job = (receipt: string): Job => {
    const made = new Job(transport, { id: receipt, receipt, headers: {}, body: new Uint8Array(), deliveryCount: 1 });
    jobs.add(made);
    return made;
  };
  return { transport, extensions, job, jobs };
}

describe('LeaseKeeper', () => {
  it('extends every held lease with one timer every leaseMs / 3, skipping a lease whose extension is still on its way', async () => {
    vi.useFakeTimers();
    const { extensions, job, jobs } = transportWithPendingExtensions();
    const keeper = new LeaseKeeper(300, jobs, () => undefined);
    const [a, b] = [job('a'), job('b')];
    keeper.hold(a);
    keeper.hold(b);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(extensions).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(extensions.map(({ receipt, leaseMs }) => [receipt, leaseMs])).toEqual([
      ['a', 300],
      ['b', 300],
    ]);
    extensions[0]!.answer();
    await vi.advanceTimersByTimeAsync(100);
    // b's first extension has not been answered: only a is extended again.
    expect(extensions.map(({ receipt }) => receipt)).toEqual(['a', 'b', 'a']);
  });

  it('stops its timer at the first tick that finds nothing held, or at stop(), and starts it again for the next hold', async () => {
    vi.useFakeTimers();
    const { extensions, job, jobs } = transportWithPendingExtensions();
    const keeper = new LeaseKeeper(30, jobs, () => undefined);
    const [a, b, c] = [job('a'), job('b'), job('c')];
    keeper.hold(a);
    keeper.drop(a);
    keeper.hold(b);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(extensions.map(({ receipt }) => receipt)).toEqual(['b']);
    keeper.drop(b);
    keeper.stop();
    expect(vi.getTimerCount()).toBe(0);
    keeper.hold(c);
    keeper.drop(c);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(0);
    expect(extensions.map(({ receipt }) => receipt)).toEqual(['b']);
  });

  it('reports a failed extension, or one that throws at once, and keeps extending', async () => {
    vi.useFakeTimers();
    const { transport, extensions, job, jobs } = transportWithPendingExtensions();
    const errors: unknown[] = [];
    const keeper = new LeaseKeeper(30, jobs, (from, error) => errors.push([from.name, (error as Error).message]));
    keeper.hold(job('a'));
    await vi.advanceTimersByTimeAsync(10);
    extensions[0]!.answer(new Error('timeout'));
    await vi.advanceTimersByTimeAsync(10);
    expect(extensions).toHaveLength(2);
    transport.extendLease = () => {
      throw new Error('closed');
    };
    extensions[1]!.answer();
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toEqual([
      ['fake', 'timeout'],
      ['fake', 'closed'],
    ]);
  });

  it('keeps extending the lease of a job given up at shutdown while its handler runs, also after stop(), until it is dropped', async () => {
    vi.useFakeTimers();
    const { extensions, job, jobs } = transportWithPendingExtensions();
    const keeper = new LeaseKeeper(30, jobs, () => undefined);
    const givenUp = job('given-up');
    keeper.hold(givenUp);
    givenUp.giveUp(new Error('shutdown'));
    keeper.stop();
    await vi.advanceTimersByTimeAsync(10);
    expect(extensions.map(({ receipt }) => receipt)).toEqual(['given-up']);
    extensions[0]?.answer();
    keeper.drop(givenUp);
    await vi.advanceTimersByTimeAsync(10);
    expect(extensions).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
