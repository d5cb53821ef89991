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

  it('a bad option reads as everywhere else: the owner, the option, the rule and the value received', () => {
    const queueRule = 'a queue name of at most 255 bytes, not starting with "amq." (reserved by RabbitMQ)';
    expect(() => resolveRabbitMqOptions({ queue: '' })).toThrow(new TypeError(`RabbitMqTransport option "queue" must be ${queueRule}; got the string "".`));
    expect(() => resolveRabbitMqOptions({ queue: 'amq.x' })).toThrow(
      new TypeError(`RabbitMqTransport option "queue" must be ${queueRule}; got the string "amq.x".`),
    );
    expect(() => resolveRabbitMqOptions({ deadLetterQueue: 5 as unknown as string })).toThrow(
      new TypeError(
        'RabbitMqTransport option "deadLetterQueue" must be a queue name of at most 255 bytes, not starting with "amq." (reserved by RabbitMQ); got the number 5.',
      ),
    );
    expect(() => resolveRabbitMqOptions({ queue: 'q'.repeat(250) })).toThrow(
      'RabbitMqTransport option "delayQueuePrefix" must be a queue name prefix of at most 245 bytes (a delay bucket of up to 10 digits follows it), not starting with "amq." (reserved by RabbitMQ); got the string "qqq',
    );
    expect(() => resolveRabbitMqOptions({ prefetch: 0 })).toThrow(
      new TypeError('RabbitMqTransport option "prefetch" must be an integer from 1 to 65535 (deliveries); got the number 0.'),
    );
    expect(() => resolveRabbitMqOptions({ prefetch: 70_000 })).toThrow(
      'option "prefetch" must be an integer from 1 to 65535 (deliveries); got the number 70000.',
    );
    expect(() => resolveRabbitMqOptions({ consumerTimeoutMs: 1_000 })).toThrow(
      new TypeError('RabbitMqTransport option "consumerTimeoutMs" must be an integer >= 2000 or Infinity (milliseconds); got the number 1000.'),
    );
    expect(() => resolveRabbitMqOptions({ confirmTimeoutMs: '5' as unknown as number })).toThrow(
      new TypeError('RabbitMqTransport option "confirmTimeoutMs" must be an integer >= 1 (milliseconds); got the string "5".'),
    );
    expect(() => resolveRabbitMqOptions(null as unknown as object)).toThrow(new TypeError('RabbitMqTransport option "options" must be an object; got null.'));
    expect(() => resolveRabbitMqOptions({ url: 'amqp://a', connection: async () => Promise.reject(new Error()) })).toThrow(
      new TypeError('RabbitMqTransport options "url" and "connection" exclude each other; give one of them.'),
    );
    expect(() => resolveRabbitMqOptions({ connection: {} as never })).toThrow(
      new TypeError(
        'RabbitMqTransport option "connection" must be an amqplib connection (await amqplib.connect(...)) or a function returning one; got a plain object.',
      ),
    );
  });

  it('a bad url is shown by its first 8 characters only, so its password stays out of the logs', () => {
    expect(() => resolveRabbitMqOptions({ url: 'redis://user:secret@x' })).toThrow(
      new TypeError('RabbitMqTransport option "url" must be an amqp:// or amqps:// URL; got a string starting with "redis://".'),
    );
    expect(() => resolveRabbitMqOptions({ url: 'amqp://user:secret@a b' })).toThrow(
      new TypeError('RabbitMqTransport option "url" must be an amqp:// or amqps:// URL; got a string starting with "amqp://u".'),
    );
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
