import { describe, expect, it, vi } from 'vitest';
import { RabbitMqClientMissingError, RabbitMqTransport } from './index.js';

vi.mock('amqplib', () => {
  throw new Error("Cannot find package 'amqplib'");
});

describe('RabbitMqTransport without amqplib installed', () => {
  it('rejects with RabbitMqClientMissingError naming the package, and reports failed', async () => {
    const transport = new RabbitMqTransport({ url: 'amqp://127.0.0.1:1' });
    const sending = transport.send([{ id: 'a', headers: {}, body: new Uint8Array([1]) }]);
    await expect(sending).rejects.toBeInstanceOf(RabbitMqClientMissingError);
    await expect(sending).rejects.toThrow('npm install amqplib');
    expect(transport.health()).toBe('failed');
    await expect(transport.setup()).rejects.toBeInstanceOf(RabbitMqClientMissingError);
    await transport.close();
  });
});
