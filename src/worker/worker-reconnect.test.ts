import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { createKit, TestCommand, UnreliableTransport, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
let transport = new UnreliableTransport();
afterEach(async () => {
  await kit.stopAll();
  await transport.close();
});

describe('Worker broker outage', () => {
  it('reports reconnecting while receives fail, retries with backoff, and resumes consuming', async () => {
    kit = createKit();
    transport = new UnreliableTransport({ name: 'broker' });
    transport.failing = true;
    const worker = kit.worker({ transports: [transport], reconnect: { baseMs: 5, capMs: 20 } });
    const health: WorkerEvents['health'][] = [];
    const errors: WorkerEvents['error'][] = [];
    worker.on('health', (event) => health.push(event));
    worker.on('error', (event) => errors.push(event));
    worker.start();
    await waitFor(() => transport.receives >= 4, 'several receive attempts');
    expect(worker.health()).toMatchObject({ state: 'running', status: 'reconnecting', transports: [{ name: 'broker', status: 'reconnecting' }] });
    expect(errors[0]).toMatchObject({ transport: 'broker', during: 'receive' });
    expect((errors[0]?.error as Error).message).toContain('ECONNREFUSED');

    await transport.send([encodeMessage(new TestCommand('after the outage'), { registry: kit.registry })]);
    transport.failing = false;
    await waitFor(() => kit.calls.length === 1, 'the message sent during the outage to be handled');
    expect(worker.health()).toMatchObject({ status: 'connected', transports: [{ name: 'broker', status: 'connected' }] });
    expect(health).toEqual([
      { transport: 'broker', status: 'reconnecting' },
      { transport: 'broker', status: 'connected' },
    ]);
  });

  it('caps the wait between attempts, so a long outage is retried at least every capMs', async () => {
    kit = createKit();
    transport = new UnreliableTransport({ name: 'broker' });
    transport.failing = true;
    const worker = kit.worker({ transports: [transport], reconnect: { baseMs: 10, capMs: 20 } });
    worker.on('error', () => undefined);
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Uncapped, 10 ms doubling would make about 5 attempts in 300 ms; capped at 20 ms, well over 10.
    expect(transport.receives).toBeGreaterThan(10);
    expect(worker.health().state).toBe('running');
  });

  it('retries a failing setup the same way instead of giving up', async () => {
    kit = createKit();
    transport = new UnreliableTransport({ name: 'broker' });
    let setups = 0;
    transport.setup = () => (++setups < 3 ? Promise.reject(new Error('NOAUTH')) : Promise.resolve());
    await transport.send([encodeMessage(new TestCommand('x'), { registry: kit.registry })]);
    const worker = kit.worker({ transports: [transport], reconnect: { baseMs: 5, capMs: 10 } });
    const errors: WorkerEvents['error'][] = [];
    worker.on('error', (event) => errors.push(event));
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the message to be handled');
    expect(setups).toBe(3);
    expect(errors.map(({ during }) => during)).toEqual(['setup', 'setup']);
  });

  it('writes errors to console.error when nobody listens, never silently', async () => {
    kit = createKit();
    transport = new UnreliableTransport({ name: 'broker' });
    transport.failing = true;
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const worker = kit.worker({ transports: [transport], reconnect: { baseMs: 5, capMs: 10 } });
      worker.start();
      await waitFor(() => logged.length > 0, 'a logged error');
      await worker.stop();
    } finally {
      console.error = original;
    }
    expect(String(logged[0]?.[0])).toBe('troopy worker: receive failed on "broker":');
  });
});

describe('Worker with a closed transport', () => {
  it('does not spin when receive answers at once with nothing', async () => {
    kit = createKit();
    transport = new UnreliableTransport({ name: 'closed' });
    await transport.close();
    const worker = kit.worker({ transports: [transport], receiveWaitMs: 50 });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(transport.receives).toBeLessThanOrEqual(6);
    await worker.stop();
  });
});
