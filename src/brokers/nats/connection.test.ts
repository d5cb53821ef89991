import { describe, expect, it, vi } from 'vitest';
import { NatsClientMissingError, NatsTransport } from './index.js';

const imports = vi.hoisted(() => ({ attempts: 0 }));

vi.mock('@nats-io/transport-node', () => {
  imports.attempts++;
  throw new Error("Cannot find package '@nats-io/transport-node'");
});
vi.mock('@nats-io/jetstream', () => {
  throw new Error("Cannot find package '@nats-io/jetstream'");
});

describe('NatsTransport without the NATS client packages installed', () => {
  it('rejects with NatsClientMissingError naming the packages, reports failed, and tries loading again on the next call', async () => {
    const transport = new NatsTransport({ servers: '127.0.0.1:1' });
    const sending = transport.send([{ id: 'a', headers: {}, body: new Uint8Array([1]) }]);
    await expect(sending).rejects.toBeInstanceOf(NatsClientMissingError);
    await expect(sending).rejects.toThrow('npm install @nats-io/transport-node @nats-io/jetstream');
    await expect(sending).rejects.toHaveProperty('cause', expect.any(Error));
    expect(transport.health()).toBe('failed');
    const before = imports.attempts;
    await expect(transport.setup()).rejects.toBeInstanceOf(NatsClientMissingError);
    expect(imports.attempts).toBe(before + 1);
    await transport.close();
  });
});
