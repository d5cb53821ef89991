import { hostname } from 'node:os';
import { invalidOption, numberOption, objectOption, stringOption } from '../../check-option.js';
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
   * The longest pause between two reconnection attempts, in milliseconds: each pause is drawn at
   * random below a ceiling that starts at 100 ms and doubles up to this.
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

/** The rule of every duration option: a whole number of milliseconds, at least 1. */
const MILLISECONDS = { min: 1, integer: true, note: 'milliseconds' } as const;

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveRedisOptions(given: RedisTransportOptions): ResolvedRedisOptions {
  const options = objectOption(owner, 'options', given) as RedisTransportOptions;
  if (options.url !== undefined && options.client !== undefined) {
    throw new TypeError(`${owner} options "url" and "client" exclude each other; give one of them.`);
  }
  const url =
    options.url === undefined
      ? undefined
      : stringOption(owner, 'url', options.url, undefined, { pattern: /^rediss?:\/\//, rule: 'a redis:// or rediss:// URL', secret: true });
  const stream = stringOption(owner, 'stream', options.stream, 'troopy:commands');
  const deadLetterStream = stringOption(owner, 'deadLetterStream', options.deadLetterStream, `${stream}:dead`);
  const random = Math.random().toString(36).slice(2, 10);
  return {
    url,
    client: clientOption(options.client),
    stream,
    group: stringOption(owner, 'group', options.group, 'troopy'),
    consumer: stringOption(owner, 'consumer', options.consumer, `${hostname()}-${process.pid}-${random}`),
    deadLetterStream,
    deadLetterIndex: `${deadLetterStream}:index`,
    delayedKey: stringOption(owner, 'delayedKey', options.delayedKey, `${stream}:delayed`),
    blockMs: numberOption(owner, 'blockMs', options.blockMs, 1_000, MILLISECONDS),
    connectTimeoutMs: numberOption(owner, 'connectTimeoutMs', options.connectTimeoutMs, 3_000, MILLISECONDS),
    maxReconnectDelayMs: numberOption(owner, 'maxReconnectDelayMs', options.maxReconnectDelayMs, 2_000, MILLISECONDS),
  };
}

/** The `client` option: an ioredis client (it has `duplicate()`) with the default reply mapping, or `undefined`. */
function clientOption(client: unknown): RedisClient | undefined {
  if (client === undefined) return undefined;
  if (typeof client !== 'object' || client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function') {
    throw invalidOption(owner, 'client', 'an ioredis client (new Redis(...))', client);
  }
  if ((client as { options?: { replyMapping?: unknown } | undefined }).options?.replyMapping === 'resp3') {
    throw new TypeError(`${owner} option "client" must use the default reply mapping; got a client with replyMapping "resp3". Pass a client without it.`);
  }
  return client as RedisClient;
}
