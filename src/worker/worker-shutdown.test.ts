import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { ABORT_GRACE_MS } from './drain-jobs.js';
import { ShutdownTimeoutError } from './shutdown-timeout-error.js';
import { createKit, gate, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
afterEach(() => kit.stopAll());

const aborted: unknown[] = [];

/** Handlers that take as long as their label says, in milliseconds, unless aborted (their signal's reason goes to `aborted`). */
function timedKit() {
  aborted.length = 0;
  return createKit({
    handler: (command, context) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(command.label));
        context?.signal?.addEventListener('abort', () => {
          aborted.push(context.signal?.reason);
          clearTimeout(timer);
          resolve();
        });
      }),
  });
}

describe('Worker shutdown', () => {
  it('waits for short in-flight handlers and acknowledges them', async () => {
    kit = timedKit();
    await kit.transport.send(['40', '60'].map((label) => encodeMessage(new TestCommand(label), { registry: kit.registry })));
    const worker = kit.worker({ concurrency: 2, shutdownTimeoutMs: 1_000 });
    const handled: WorkerEvents['handled'][] = [];
    worker.on('handled', (event) => handled.push(event));
    worker.start();
    await waitFor(() => kit.calls.length === 2, 'both handlers to start');
    await worker.stop();
    expect(handled).toHaveLength(2);
    expect(worker.health()).toMatchObject({ state: 'stopped', inFlight: 0 });
    expect(await kit.transport.receive({ max: 5, leaseMs: 1_000, waitMs: 0 })).toEqual([]);
  });

  it('gives a handler that reads its signal only after the timeout an aborted one, also through a copied context', async () => {
    const seen: { aborted: boolean | undefined; reason: unknown; copied: boolean | undefined }[] = [];
    kit = createKit({
      handler: async (_command, context) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        seen.push({ aborted: context?.signal?.aborted, reason: context?.signal?.reason, copied: { ...context }.signal?.aborted });
      },
    });
    await kit.transport.send([encodeMessage(new TestCommand('late-reader'), { registry: kit.registry })]);
    const worker = kit.worker({ shutdownTimeoutMs: 30, leaseMs: 60_000 });
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the handler to start');
    await worker.stop();
    await waitFor(() => seen.length === 1, 'the handler to read its signal');
    expect(seen[0]).toMatchObject({ aborted: true, copied: true });
    expect(seen[0]?.reason).toBeInstanceOf(ShutdownTimeoutError);
  });

  it('aborts handlers still running at the timeout and releases their messages for immediate redelivery', async () => {
    kit = timedKit();
    const short = encodeMessage(new TestCommand('20'), { registry: kit.registry });
    const long = encodeMessage(new TestCommand('10000'), { registry: kit.registry });
    await kit.transport.send([short, long]);
    const worker = kit.worker({ concurrency: 2, shutdownTimeoutMs: 80, leaseMs: 60_000 });
    const released: WorkerEvents['released'][] = [];
    worker.on('released', (event) => released.push(event));
    worker.start();
    await waitFor(() => kit.calls.length === 2, 'both handlers to start');
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toBeInstanceOf(ShutdownTimeoutError);
    expect(released).toEqual([{ transport: 'jobs', messageId: long.id }]);
    // The lease was 60 s: only a release makes it receivable at once.
    const again = await kit.transport.receive({ max: 5, leaseMs: 1_000, waitMs: 0 });
    expect(again.map((delivery) => delivery.id)).toEqual([long.id]);
    expect(again[0]?.deliveryCount).toBe(2);
  });

  it('never runs a message twice at once: a handler that ignores its signal keeps its lease until it settles, and only then is its message released', async () => {
    const ignoring = gate();
    let running = 0;
    let mostAtOnce = 0;
    let runs = 0;
    kit = createKit({
      handler: async () => {
        runs++;
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          // The first run ignores its AbortSignal and goes on until the test lets it end.
          if (runs === 1) await ignoring.promise;
        } finally {
          running--;
        }
      },
    });
    const sent = encodeMessage(new TestCommand('ignores-its-signal'), { registry: kit.registry });
    await kit.transport.send([sent]);
    const first = kit.worker({ shutdownTimeoutMs: 50, leaseMs: 90 });
    const released: WorkerEvents['released'][] = [];
    first.on('released', (event) => released.push(event));
    first.start();
    await waitFor(() => kit.calls.length === 1, 'the first handler to start');
    const second = kit.worker({ leaseMs: 90 });
    second.start();
    const stopping = Date.now();
    await first.stop();
    // The timeout, then the grace in which a handler that honours its signal would have settled.
    expect(Date.now() - stopping).toBeLessThan(50 + ABORT_GRACE_MS + 500);
    expect(first.health()).toMatchObject({ state: 'stopped', inFlight: 1 });
    // Several leases long: the first worker keeps extending the lease while its handler runs.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(kit.calls).toHaveLength(1);
    expect(released).toEqual([]);
    ignoring.open();
    await waitFor(() => kit.calls.length === 2, 'the second worker to run the message once the first handler settled');
    expect(released).toEqual([{ transport: 'jobs', messageId: sent.id }]);
    expect(mostAtOnce).toBe(1);
    expect(first.health().inFlight).toBe(0);
  });

  it('releases the message of a handler that honours its signal before stop() resolves, so that closing the transport next cannot cut the release off', async () => {
    kit = createKit({
      handler: (_command, context) =>
        new Promise<void>((_resolve, reject) => {
          context?.signal?.addEventListener('abort', () => {
            reject(new Error('aborted'));
          });
        }),
    });
    // A broker whose release takes a round trip, as PostgreSQL's does.
    const release = kit.transport.release.bind(kit.transport);
    kit.transport.release = async (delivery) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await release(delivery);
    };
    await kit.transport.send([encodeMessage(new TestCommand('honours-its-signal'), { registry: kit.registry })]);
    const worker = kit.worker({ shutdownTimeoutMs: 50 });
    const released: WorkerEvents['released'][] = [];
    worker.on('released', (event) => released.push(event));
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the handler to start');
    const stopping = Date.now();
    await worker.stop();
    expect(released).toHaveLength(1);
    expect(Date.now() - stopping).toBeLessThan(ABORT_GRACE_MS);
    expect(worker.health().inFlight).toBe(0);
  });

  it('stops fetching: a message sent after stop() is not taken', async () => {
    kit = createKit();
    const worker = kit.worker();
    worker.start();
    await worker.stop();
    await kit.transport.send([encodeMessage(new TestCommand('late'), { registry: kit.registry })]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(kit.calls).toHaveLength(0);
    expect(await kit.transport.receive({ max: 1, leaseMs: 1_000, waitMs: 0 })).toHaveLength(1);
  });

  it('returns the same promise when stop() is called twice, and emits stopped once', async () => {
    kit = createKit();
    const worker = kit.worker();
    const stopped = vi.fn();
    worker.on('stopped', stopped);
    worker.start();
    const first = worker.stop();
    expect(worker.stop()).toBe(first);
    await first;
    await worker.stop();
    expect(stopped).toHaveBeenCalledTimes(1);
  });

  it('stops gracefully on SIGTERM with handleSignals, and exits at once on a second signal', async () => {
    kit = timedKit();
    await kit.transport.send([encodeMessage(new TestCommand('10000'), { registry: kit.registry })]);
    const worker = kit.worker({ handleSignals: true, shutdownTimeoutMs: 100 });
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const finished = worker.run();
      await waitFor(() => kit.calls.length === 1, 'the handler to start');
      process.emit('SIGTERM', 'SIGTERM');
      expect(worker.health().state).toBe('stopping');
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(1);
      await expect(finished).resolves.toBe('signal');
    } finally {
      exit.mockRestore();
    }
  });

  it('removes its signal listeners once stopped', async () => {
    kit = createKit();
    const before = process.listenerCount('SIGTERM');
    const worker = kit.worker({ handleSignals: true });
    worker.start();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await worker.stop();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
