import { describe, expect, it } from 'vitest';
import { resolveRabbitMqOptions } from './options.js';
import { RabbitMqTransport } from './rabbitmq-transport.js';

describe('RabbitMqTransport options', () => {
  it('derives names and defaults from the queue', () => {
    const options = resolveRabbitMqOptions({ queue: 'billing' });
    expect(options).toMatchObject({
      url: 'amqp://guest:guest@127.0.0.1:5672',
      queue: 'billing',
      deadLetterQueue: 'billing.dead',
      delayQueuePrefix: 'billing.delay.',
      prefetch: undefined,
      consumerTimeoutMs: 1_800_000,
      maxLeaseMs: 1_795_000,
    });
    expect(new RabbitMqTransport({ queue: 'billing' }).name).toBe('rabbitmq:billing');
  });

  it('derives the lease bound from consumerTimeoutMs: a tenth off, at most 5 s, none when disabled', () => {
    expect(resolveRabbitMqOptions({ consumerTimeoutMs: 10_000 }).maxLeaseMs).toBe(9_000);
    expect(resolveRabbitMqOptions({ consumerTimeoutMs: Infinity }).maxLeaseMs).toBe(Infinity);
  });

  it('names the option, the rule and the value in TypeErrors', () => {
    expect(() => resolveRabbitMqOptions({ url: 'redis://x' })).toThrow('option "url" must be an amqp:// or amqps:// URL');
    expect(() => resolveRabbitMqOptions({ queue: '' })).toThrow('option "queue" must be a non-empty string; got an empty string');
    expect(() => resolveRabbitMqOptions({ queue: 'amq.x' })).toThrow('must not start with "amq."');
    expect(() => resolveRabbitMqOptions({ queue: 'q'.repeat(250) })).toThrow('option "delayQueuePrefix" must leave queue names of at most 255 bytes');
    expect(() => resolveRabbitMqOptions({ prefetch: 0 })).toThrow('option "prefetch" must be an integer >= 1 (deliveries); got 0');
    expect(() => resolveRabbitMqOptions({ consumerTimeoutMs: 1_000 })).toThrow('option "consumerTimeoutMs" must be an integer >= 2000');
    expect(() => resolveRabbitMqOptions({ url: 'amqp://a', connection: async () => Promise.reject(new Error()) })).toThrow('"url" and "connection" exclude each other');
    expect(() => resolveRabbitMqOptions({ connection: {} as never })).toThrow('option "connection" must be an amqplib connection');
  });

  it('refuses headers RabbitMQ reserves and ids longer than an AMQP short string, before connecting', async () => {
    const transport = new RabbitMqTransport({ url: 'amqp://127.0.0.1:1' });
    const body = new Uint8Array([1]);
    await expect(transport.send([{ id: 'a', headers: { 'x-death': '1' }, body }])).rejects.toThrow('message 0 header "x-death" is reserved by RabbitMQ');
    await expect(transport.send([{ id: 'é'.repeat(128), headers: {}, body }])).rejects.toThrow('longer than 255 bytes');
    await expect(transport.send([{ id: 'a', headers: {}, body, notBefore: Date.now() + 2 ** 33 }])).rejects.toBeInstanceOf(RangeError);
    await transport.close();
  });
});
