import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { createKit, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
afterEach(() => kit.stopAll());

const LEASE_MS = 60;

describe('Worker lease keepalive', () => {
  it('keeps a handler running 3 × lease from being redelivered to another consumer', async () => {
    kit = createKit({ handler: () => new Promise((resolve) => setTimeout(resolve, 3 * LEASE_MS)) });
    await kit.transport.send([encodeMessage(new TestCommand('long'), { registry: kit.registry })]);
    const worker = kit.worker({ leaseMs: LEASE_MS });
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the handler to start');
    // A competing consumer polls the whole time the handler runs.
    const stolen = await kit.transport.receive({ max: 1, leaseMs: LEASE_MS, waitMs: 3 * LEASE_MS - 20 });
    expect(stolen).toEqual([]);
    await waitFor(() => worker.health().processed === 1, 'the message to be processed');
    expect(kit.calls).toHaveLength(1);
    expect(await kit.transport.receive({ max: 1, leaseMs: LEASE_MS, waitMs: 2 * LEASE_MS })).toEqual([]);
  });

  it('without keepalive the same handler would be redelivered (the test can see a lost lease)', async () => {
    kit = createKit({ handler: () => new Promise((resolve) => setTimeout(resolve, 3 * LEASE_MS)) });
    const transport = new InMemoryTransport({ name: 'no-keepalive' });
    transport.extendLease = () => Promise.resolve();
    await transport.send([encodeMessage(new TestCommand('long'), { registry: kit.registry })]);
    const worker = kit.worker({ transports: [transport], leaseMs: LEASE_MS });
    worker.start();
    await waitFor(() => kit.calls.length === 1, 'the handler to start');
    const stolen = await transport.receive({ max: 1, leaseMs: 10 * LEASE_MS, waitMs: 3 * LEASE_MS - 20 });
    expect(stolen).toHaveLength(1);
    await worker.stop();
    await transport.close();
  });

  it('reports a failed extension as an error event and lets the handler finish', async () => {
    kit = createKit({ handler: () => new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS)) });
    const transport = new InMemoryTransport({ name: 'flaky-lease' });
    const extend = transport.extendLease.bind(transport);
    let calls = 0;
    transport.extendLease = (delivery, leaseMs) => (++calls === 1 ? Promise.reject(new Error('timeout')) : extend(delivery, leaseMs));
    await transport.send([encodeMessage(new TestCommand('long'), { registry: kit.registry })]);
    const worker = kit.worker({ transports: [transport], leaseMs: LEASE_MS });
    const errors: WorkerEvents['error'][] = [];
    worker.on('error', (event) => errors.push(event));
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'the message to be processed');
    expect(errors.map(({ during }) => during)).toEqual(['extend-lease']);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(kit.calls).toHaveLength(1);
    await worker.stop();
    await transport.close();
  });
});
