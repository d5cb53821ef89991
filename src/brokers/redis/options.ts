import { hostname } from 'node:os';
import type { RedisClient } from './connection.js';

/** Options of {@link RedisTransport}. Every key is optional. */
export interface RedisTransportOptions {
  /**
   * Where Redis is, as a `redis://` or `rediss://` URL. Give `url` or `client`, not both.
   * @default 'redis://127.0.0.1:6379'
   * @example 'redis://:secret@redis.internal:6379/2'
   */
  readonly url?: string | undefined;
  /**
   * An ioredis client to use instead of `url`. The transport sends and acknowledges on it
   * (its own options then decide offline queueing), blocks on a `duplicate()` of it, and does
   * not close it. It must keep the default reply mapping (not `replyMapping: 'resp3'`).
   * @default undefined: the transport creates its clients from `url`
   */
  readonly client?: RedisClient | undefined;
  /**
   * The stream that is the queue. For Redis Cluster, put a hash tag in it (`{troopy}:commands`)
   * so the derived keys land in the same slot.
   * @default 'troopy:commands'
   */
  readonly stream?: string | undefined;
  /**
   * The consumer group. Use one group per stream: acknowledged entries are deleted.
   * @default 'troopy'
   */
  readonly group?: string | undefined;
  /**
   * This consumer's name in the group; it must be unique per process.
   * @default `${hostname}-${pid}-${random}`
   */
  readonly consumer?: string | undefined;
  /**
   * The stream that keeps dead letters; a hash `${deadLetterStream}:index` maps message ids to its entries.
   * @default `${stream}:dead`
   */
  readonly deadLetterStream?: string | undefined;
  /**
   * The sorted set that holds delayed messages until they are due.
   * @default `${stream}:delayed`
   */
  readonly delayedKey?: string | undefined;
  /**
   * The longest a waiting receive blocks in one XREADGROUP, in milliseconds. Between blocks it
   * reclaims expired leases and moves due delayed messages, so an idle consumer picks up a
   * released or expired delivery within about this long.
   * @default 1000
   */
  readonly blockMs?: number | undefined;
  /**
   * How long a send waits for a connection that is being opened, in milliseconds, before it rejects.
   * @default 3000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * The longest pause between two reconnection attempts, in milliseconds (backoff doubles up to it).
   * @default 2000
   */
  readonly maxReconnectDelayMs?: number | undefined;
}

/** The options with every default applied. */
export interface ResolvedRedisOptions {
  readonly url: string | undefined;
  readonly client: RedisClient | undefined;
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly deadLetterStream: string;
  readonly deadLetterIndex: string;
  readonly delayedKey: string;
  readonly blockMs: number;
  readonly connectTimeoutMs: number;
  readonly maxReconnectDelayMs: number;
}

const owner = 'RedisTransport';

function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${owner} option "${name}" must be a non-empty string; got ${value === '' ? 'an empty string' : typeof value}.`);
  }
  return value;
}

function milliseconds(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`${owner} option "${name}" must be an integer >= ${min} (milliseconds); got ${typeof value === 'number' ? value : typeof value}.`);
  }
  return value;
}

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveRedisOptions(options: RedisTransportOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${owner} options must be an object; got ${typeof options}.`);
  if (options.url !== undefined && options.client !== undefined) {
    throw new TypeError(`${owner} options "url" and "client" exclude each other; give one of them.`);
  }
  const url = options.url === undefined ? undefined : text('url', options.url, '');
  if (url !== undefined && !/^rediss?:\/\//.test(url)) {
    throw new TypeError(`${owner} option "url" must start with redis:// or rediss://; got a string starting with ${JSON.stringify(url.slice(0, 8))}.`);
  }
  const client: unknown = options.client;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function')) {
    throw new TypeError(`${owner} option "client" must be an ioredis client (new Redis(...)); got ${typeof client}.`);
  }
  if ((client as { options?: { replyMapping?: unknown } | undefined } | undefined)?.options?.replyMapping === 'resp3') {
    throw new TypeError(`${owner} option "client" must use the default reply mapping; got a client with replyMapping 'resp3'. Pass a client without it.`);
  }
  const stream = text('stream', options.stream, 'troopy:commands');
  const deadLetterStream = text('deadLetterStream', options.deadLetterStream, `${stream}:dead`);
  const random = Math.random().toString(36).slice(2, 10);
  return {
    url,
    client: options.client,
    stream,
    group: text('group', options.group, 'troopy'),
    consumer: text('consumer', options.consumer, `${hostname()}-${process.pid}-${random}`),
    deadLetterStream,
    deadLetterIndex: `${deadLetterStream}:index`,
    delayedKey: text('delayedKey', options.delayedKey, `${stream}:delayed`),
    blockMs: milliseconds('blockMs', options.blockMs, 1_000, 1),
    connectTimeoutMs: milliseconds('connectTimeoutMs', options.connectTimeoutMs, 3_000, 1),
    maxReconnectDelayMs: milliseconds('maxReconnectDelayMs', options.maxReconnectDelayMs, 2_000, 1),
  };
}
