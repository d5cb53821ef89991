import { describe, expect, it } from 'vitest';
import { NatsTransport } from './nats-transport.js';

describe('NatsTransport options', () => {
  it('a bad option reads as everywhere else: the owner, the option, the rule and the value received', () => {
    expect(() => new NatsTransport({ maxDeliver: 1 })).toThrow(
      new TypeError('NatsTransport option "maxDeliver" must be an integer >= 2 or Infinity; got the number 1.'),
    );
    expect(() => new NatsTransport({ leaseMs: 0.5 })).toThrow(
      new TypeError('NatsTransport option "leaseMs" must be an integer >= 1 (milliseconds); got the number 0.5.'),
    );
    expect(() => new NatsTransport({ timeoutMs: '5' as unknown as number })).toThrow(
      new TypeError('NatsTransport option "timeoutMs" must be an integer >= 1 (milliseconds); got the string "5".'),
    );
    expect(() => new NatsTransport({ stream: 'a.b' })).toThrow(
      new TypeError('NatsTransport option "stream" must be a non-empty string without whitespace, ".", "*", ">", "/" or "\\"; got the string "a.b".'),
    );
    expect(() => new NatsTransport({ subject: 'orders.*' })).toThrow(
      new TypeError('NatsTransport option "subject" must be a subject of dot-separated tokens without wildcards or whitespace; got the string "orders.*".'),
    );
    expect(() => new NatsTransport({ consumer: 5 as unknown as string })).toThrow(
      new TypeError('NatsTransport option "consumer" must be a non-empty string without whitespace, ".", "*", ">", "/" or "\\"; got the number 5.'),
    );
    expect(() => new NatsTransport({ storage: 'disk' as 'file' })).toThrow(
      new TypeError('NatsTransport option "storage" must be "file" or "memory"; got the string "disk".'),
    );
    expect(() => new NatsTransport({ connectOptions: null as unknown as object })).toThrow(
      new TypeError('NatsTransport option "connectOptions" must be an object; got null.'),
    );
    expect(() => new NatsTransport(null as unknown as object)).toThrow(new TypeError('NatsTransport option "options" must be an object; got null.'));
    expect(() => new NatsTransport({ connection: {} as never })).toThrow(
      new TypeError('NatsTransport option "connection" must be a NATS connection (from connect() of @nats-io/transport-node); got a plain object.'),
    );
  });

  it('servers is one server or a non-empty list of them; a bad one is shown by its first 8 characters, so a password stays out of the logs', () => {
    expect(() => new NatsTransport({ servers: [] })).toThrow(
      new TypeError('NatsTransport option "servers" must be a non-empty string or a non-empty array of them; got an instance of Array.'),
    );
    expect(() => new NatsTransport({ servers: 4222 as unknown as string })).toThrow(
      new TypeError('NatsTransport option "servers" must be a non-empty string or a non-empty array of them; got the number 4222.'),
    );
    expect(() => new NatsTransport({ servers: '' })).toThrow('option "servers" must be a non-empty string or a non-empty array of them; got the string "".');
    expect(() => new NatsTransport({ servers: 'nats://u:secret@nats.internal', connection: {} as never })).toThrow(
      'NatsTransport options "servers" and "connection" exclude each other; give one of them.',
    );
  });

  it('takes the defaults, Infinity for maxDeliver, and exposes leaseMs as the lease a worker takes', () => {
    expect(new NatsTransport({ maxDeliver: Infinity }).name).toBe('nats:troopy-commands');
    expect(new NatsTransport({ servers: ['n1:4222', 'n2:4222'], stream: 'orders' }).name).toBe('nats:orders');
    expect(new NatsTransport().leaseMs).toBe(30_000);
    expect(new NatsTransport({ leaseMs: 45_000 }).leaseMs).toBe(45_000);
  });
});
