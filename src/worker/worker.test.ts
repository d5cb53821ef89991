import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { createKit, gate, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
afterEach(() => kit.stopAll());

async function send(...labels: string[]): Promise<string[]> {
  const messages = labels.map((label) => encodeMessage(new TestCommand(label), { registry: kit.registry }));
  await kit.transport.send(messages);
  return messages.map((message) => message.id);
}

describe('Worker', () => {
  it('handles a received command with its class revived, then acknowledges it', async () => {
    kit = createKit();
    const [id] = await send('a');
    const worker = kit.worker();
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    expect(kit.calls).toHaveLength(1);
    expect(kit.calls[0]?.command).toBeInstanceOf(TestCommand);
    expect(kit.calls[0]?.command.label).toBe('a');
    expect(kit.calls[0]?.context).toMatchObject({ messageId: id, deliveryCount: 1, attempt: 1, correlationId: id, receivedFrom: 'jobs' });
    expect(kit.calls[0]?.context?.signal).toBeInstanceOf(AbortSignal);
    expect(kit.calls[0]?.context?.headers?.['message-name']).toBe('test.job');
    await worker.stop();
    const left = await kit.transport.receive({ max: 10, leaseMs: 1_000, waitMs: 0 });
    expect(left).toEqual([]);
  });

  it('gives middleware a context whose signal survives a spread and can be replaced', async () => {
    const seen: { spread: boolean; replaced: boolean; sameAfterSpread: boolean }[] = [];
    const replacement = new AbortController().signal;
    kit = createKit({
      middleware: [
        (message, next, context) => {
          const spread = { ...context };
          const copy = { ...context };
          copy.signal = replacement;
          seen.push({
            spread: spread.signal instanceof AbortSignal,
            replaced: copy.signal === replacement,
            sameAfterSpread: spread.signal === context?.signal,
          });
          return next(message, copy);
        },
      ],
    });
    await send('m');
    const worker = kit.worker();
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    expect(seen).toEqual([{ spread: true, replaced: true, sameAfterSpread: true }]);
    expect(kit.calls[0]?.context?.signal).toBe(replacement);
  });

  it('does not acknowledge before the handler has finished', async () => {
    const release = gate();
    kit = createKit({ handler: () => release.promise });
    await send('slow');
    const worker = kit.worker({ leaseMs: 60 });
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the handler to start');
    expect(worker.health().processed).toBe(0);
    release.open();
    await waitFor(() => worker.health().processed === 1, 'the message to be processed');
  });

  it('never runs more than `concurrency` handlers at once', async () => {
    let running = 0;
    let peak = 0;
    kit = createKit({
      handler: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running--;
      },
    });
    await send(...Array.from({ length: 20 }, (_, index) => `job-${index}`));
    const worker = kit.worker({ concurrency: 3 });
    worker.start();
    await waitFor(() => worker.health().processed === 20, '20 processed messages');
    expect(peak).toBe(3);
    expect(kit.calls).toHaveLength(20);
  });

  it('receives the next message while an ack is on its way, but starts no handler until that ack is written', async () => {
    kit = createKit();
    const ack = kit.transport.ack.bind(kit.transport);
    const receive = kit.transport.receive.bind(kit.transport);
    const acks = gate();
    let acked = 0;
    let received = 0;
    kit.transport.ack = async (delivery) => {
      await acks.promise;
      await ack(delivery);
      acked++;
    };
    kit.transport.receive = async (options) => {
      const deliveries = await receive(options);
      received += deliveries.length;
      return deliveries;
    };
    await send('first', 'second');
    const worker = kit.worker({ concurrency: 1 });
    worker.start();
    await waitFor(() => received === 2, 'the second message to be received while the first ack waits');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(kit.calls.map((call) => call.command.label)).toEqual(['first']);
    expect(acked).toBe(0);
    acks.open();
    await waitFor(() => kit.calls.length === 2, 'the second handler to start once the first ack is written');
    await worker.stop();
    expect(acked).toBe(2);
  });

  it('emits received and handled for a success, and stopped on stop', async () => {
    kit = createKit();
    const [id] = await send('a');
    const worker = kit.worker();
    const seen: [keyof WorkerEvents, unknown][] = [];
    for (const event of ['received', 'handled', 'failed', 'stopped'] as const) {
      worker.on(event, (payload) => seen.push([event, payload]));
    }
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    await worker.stop();
    expect(seen.map(([event]) => event)).toEqual(['received', 'handled', 'stopped']);
    expect(seen[1]?.[1]).toMatchObject({ transport: 'jobs', messageId: id, messageName: 'test.job' });
    expect(seen[2]?.[1]).toEqual({ reason: 'stop' });
  });

  it('keeps working when a listener throws, and reports the listener error', async () => {
    kit = createKit();
    await send('a', 'b');
    const worker = kit.worker();
    const errors: WorkerEvents['error'][] = [];
    worker.on('received', () => {
      throw new Error('listener bug');
    });
    worker.on('error', (payload) => errors.push(payload));
    worker.start();
    await waitFor(() => worker.health().processed === 2, 'two processed messages');
    expect(errors.map((error) => error.during)).toEqual(['listener', 'listener']);
  });

  it('stops by itself after maxMessages and resolves run() with the reason', async () => {
    kit = createKit();
    await send('a', 'b', 'c');
    const worker = kit.worker({ concurrency: 2, limits: { maxMessages: 2 } });
    await expect(worker.run()).resolves.toBe('max-messages');
    expect(kit.calls.map((call) => call.command.label)).toEqual(['a', 'b']);
    expect(worker.health().state).toBe('stopped');
  });

  it('stops by itself after maxRuntimeMs', async () => {
    kit = createKit();
    const worker = kit.worker({ limits: { maxRuntimeMs: 50 } });
    const started = Date.now();
    await expect(worker.run()).resolves.toBe('max-runtime');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('refuses invalid options with a TypeError naming the option', () => {
    kit = createKit();
    expect(() => kit.worker({ concurrency: 0 })).toThrow('Worker option "concurrency" must be an integer >= 1; got the number 0.');
    expect(() => kit.worker({ transports: [] })).toThrow(/Worker option "transports" must be a non-empty array/);
    expect(() => kit.worker({ retry: { factor: 0.5 } })).toThrow('RetryStrategy option "factor" must be a finite number >= 1; got the number 0.5.');
  });
});
