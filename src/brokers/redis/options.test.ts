import { describe, expect, it } from 'vitest';
import { RedisTransport } from './redis-transport.js';

describe('RedisTransport options', () => {
  it('a bad option reads as everywhere else: the owner, the option, the rule and the value received', () => {
    expect(() => new RedisTransport({ blockMs: 0 })).toThrow(
      new TypeError('RedisTransport option "blockMs" must be an integer >= 1 (milliseconds); got the number 0.'),
    );
    expect(() => new RedisTransport({ connectTimeoutMs: '5' as unknown as number })).toThrow(
      new TypeError('RedisTransport option "connectTimeoutMs" must be an integer >= 1 (milliseconds); got the string "5".'),
    );
    expect(() => new RedisTransport({ stream: '' })).toThrow(new TypeError('RedisTransport option "stream" must be a non-empty string; got the string "".'));
    expect(() => new RedisTransport({ group: 5 as unknown as string })).toThrow(
      new TypeError('RedisTransport option "group" must be a non-empty string; got the number 5.'),
    );
    expect(() => new RedisTransport(null as unknown as object)).toThrow(new TypeError('RedisTransport option "options" must be an object; got null.'));
    expect(() => new RedisTransport({ client: {} as never })).toThrow(
      new TypeError('RedisTransport option "client" must be an ioredis client (new Redis(...)); got a plain object.'),
    );
  });

  it('a client with the RESP3 reply mapping, or both url and client, are refused with the fix', () => {
    const resp3 = { duplicate: () => undefined, options: { replyMapping: 'resp3' } } as never;
    expect(() => new RedisTransport({ client: resp3 })).toThrow(
      'option "client" must use the default reply mapping; got a client with replyMapping "resp3". Pass a client without it.',
    );
    expect(() => new RedisTransport({ url: 'redis://x', client: {} as never })).toThrow(
      'RedisTransport options "url" and "client" exclude each other; give one of them.',
    );
  });

  it('a bad url is shown by its first 8 characters only, so its password stays out of the logs', () => {
    expect(() => new RedisTransport({ url: 'http://user:secret@redis.internal' })).toThrow(
      new TypeError('RedisTransport option "url" must be a redis:// or rediss:// URL; got a string starting with "http://u".'),
    );
  });
});
