import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import type { ReceiveOptions } from '../transport/transport.js';
import { NatsTransport } from '../brokers/nats/nats-transport.js';
import { createKit, waitFor } from './test-kit.case.js';

const kit = createKit();
afterEach(() => kit.stopAll());

/** An in-memory transport that imposes one lease, as a NATS transport does, and records the leases asked for. */
function imposing(leaseMs: number, name = 'memory:imposing'): InMemoryTransport & { asked: number[] } {
  const transport = Object.assign(new InMemoryTransport({ name }), { leaseMs, asked: [] as number[] });
  const receive = transport.receive.bind(transport);
  transport.receive = (options: ReceiveOptions) => {
    transport.asked.push(options.leaseMs);
    return receive(options);
  };
  return transport;
}

describe("a transport's imposed lease is the worker's one source of truth", () => {
  it('is used by a worker that leaves leaseMs out', async () => {
    const transport = imposing(45_000);
    const worker = kit.worker({ transports: [transport] });
    worker.start();
    await waitFor(() => transport.asked.length > 0, 'a receive');
    expect(transport.asked[0]).toBe(45_000);
    await worker.stop();
    await transport.close();
  });

  it('refuses a worker leaseMs that differs, naming both', () => {
    const transport = imposing(45_000, 'memory:orders');
    expect(() => kit.worker({ transports: [transport], leaseMs: 30_000 })).toThrow(RangeError);
    expect(() => kit.worker({ transports: [transport], leaseMs: 30_000 })).toThrow(
      /"leaseMs" must equal the lease transport "memory:orders" imposes, 45000 ms .*; got 30000 ms\. Set leaseMs once, on the transport/,
    );
    expect(() => kit.worker({ transports: [transport], leaseMs: 45_000 })).not.toThrow();
  });

  it('refuses transports that impose different leases', () => {
    expect(() => kit.worker({ transports: [imposing(10_000, 'memory:a'), imposing(20_000, 'memory:b')] })).toThrow(
      /transport "memory:b" imposes, 20000 ms .*, but transport "memory:a" imposes 10000 ms/,
    );
  });

  it('is the leaseMs option of a NATS transport', () => {
    expect(new NatsTransport({ leaseMs: 45_000 }).leaseMs).toBe(45_000);
    expect(new NatsTransport().leaseMs).toBe(30_000);
  });
});
