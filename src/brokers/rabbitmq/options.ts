import { invalidOption, numberOption, objectOption, stringOption, type StringRule } from '../../check-option.js';
import type { AmqpConnection } from './connection.js';

/** Options of {@link RabbitMqTransport}. Every key is optional. */
export interface RabbitMqTransportOptions {
  /**
   * Where RabbitMQ is, as an `amqp://` or `amqps://` URL. Give `url` or `connection`, not both.
   * A `heartbeat` query parameter is added (see `heartbeatSeconds`) unless the URL has one.
   * @default 'amqp://guest:guest@127.0.0.1:5672'
   * @example 'amqps://app:secret@rabbit.internal:5671/billing'
   */
  readonly url?: string | undefined;
  /**
   * A connection you open yourself, instead of `url`: an amqplib connection, or a function
   * that opens one. An object is shared: the transport opens its channels on it and neither
   * closes nor reopens it, so once it closes the transport reports `failed`. A function is
   * called for every (re)connection, and the transport closes what it returns on `close()`.
   * @default undefined: the transport connects to `url` with amqplib
   * @example async () => amqplib.connect(url, { ca: [certificate] })
   */
  readonly connection?: AmqpConnection | (() => Promise<AmqpConnection>) | undefined;
  /**
   * The queue: a durable quorum queue, declared by `setup()`.
   * @default 'troopy.commands'
   */
  readonly queue?: string | undefined;
  /**
   * The quorum queue that keeps dead letters (bytes, headers and the reason).
   * @default `${queue}.dead`
   */
  readonly deadLetterQueue?: string | undefined;
  /**
   * The start of the delay queues' names; each is named by its delay bucket in milliseconds
   * (`troopy.commands.delay.1536`) and created on first use.
   * @default `${queue}.delay.`
   */
  readonly delayQueuePrefix?: string | undefined;
  /**
   * How many unacknowledged deliveries the broker may push to this consumer (per-consumer
   * prefetch). Deliveries beyond those handed out by `receive` wait in this process for the
   * next `receive`.
   * @default the largest `max` a receive has asked for (the worker's concurrency)
   */
  readonly prefetch?: number | undefined;
  /**
   * The broker's `consumer_timeout` in milliseconds: RabbitMQ closes the channel of a consumer
   * that keeps a delivery unacknowledged longer. It bounds every lease, extensions included
   * (see `RabbitMqTransport.maxLeaseMs`). Set it to the broker's value when you change that;
   * `Infinity` when the broker has it disabled.
   * @default 1_800_000 (RabbitMQ's own default, 30 minutes)
   */
  readonly consumerTimeoutMs?: number | undefined;
  /**
   * How long deliveries prefetched from the broker wait for a `receive` before they are given
   * back to the queue and consuming pauses (until the next `receive`), in milliseconds. It
   * keeps a process that stopped receiving (a stopped worker) from holding messages.
   * @default 2_000
   */
  readonly prefetchHoldMs?: number | undefined;
  /**
   * How long a send (or a retry, dead-letter or redrive) waits for the broker's publisher
   * confirm before it rejects, in milliseconds.
   * @default 10_000
   */
  readonly confirmTimeoutMs?: number | undefined;
  /**
   * How long one connection attempt may take, in milliseconds.
   * @default 3_000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * The longest pause between two background reconnection attempts, in milliseconds: each pause is
   * drawn at random below a ceiling that starts at 100 ms and doubles up to this.
   * @default 2_000
   */
  readonly maxReconnectDelayMs?: number | undefined;
  /**
   * The AMQP heartbeat asked for, in seconds: a dead connection is noticed after about two.
   * @default 10
   */
  readonly heartbeatSeconds?: number | undefined;
}

/** The options with every default applied. */
export interface ResolvedRabbitMqOptions {
  readonly url: string;
  readonly connection: AmqpConnection | (() => Promise<AmqpConnection>) | undefined;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly delayQueuePrefix: string;
  readonly prefetch: number | undefined;
  readonly consumerTimeoutMs: number;
  /** The longest a delivery may stay leased, from its arrival: `consumerTimeoutMs` less a safety margin. */
  readonly maxLeaseMs: number;
  readonly prefetchHoldMs: number;
  readonly confirmTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxReconnectDelayMs: number;
  readonly heartbeatSeconds: number;
}

const owner = 'RabbitMqTransport';
/** The longest delay-queue suffix (`4294967295`, the largest x-message-ttl). */
const LONGEST_BUCKET = 10;
/** An AMQP short string, the longest a queue name can be, in bytes. */
const MAX_QUEUE_NAME_BYTES = 255;
/** The broker reserves queue names starting with `amq.`. */
const NOT_RESERVED = /^(?!amq\.)/;

/** The rule of every duration option: a whole number of milliseconds, at least 1. */
const MILLISECONDS = { min: 1, integer: true, note: 'milliseconds' } as const;

const URL_RULE: StringRule = { pattern: /^amqps?:\/\//, rule: 'an amqp:// or amqps:// URL', secret: true };
/** A pattern nothing matches: the URL is refused by the checker in its own words, shown by its start only. */
const NEVER = /(?!)/;

/**
 * Checks a queue name option: a non-empty AMQP short string (255 bytes) outside the broker's
 * reserved `amq.` space; `room` is what the transport appends to it (a delay bucket's digits).
 */
function queueName(name: string, value: unknown, fallback: string, room = 0): string {
  const rule = `a queue name${room > 0 ? ' prefix' : ''} of at most ${MAX_QUEUE_NAME_BYTES - room} bytes${room > 0 ? ` (a delay bucket of up to ${room} digits follows it)` : ''}, not starting with "amq." (reserved by RabbitMQ)`;
  const queue = stringOption(owner, name, value, fallback, { pattern: NOT_RESERVED, rule });
  if (Buffer.byteLength(queue) + room > MAX_QUEUE_NAME_BYTES) throw invalidOption(owner, name, rule, queue);
  return queue;
}

/** The `url` option: an amqp:// or amqps:// URL that parses; a bad one is shown by its first 8 characters (it may hold a password). */
function urlOption(value: unknown): string {
  const url = stringOption(owner, 'url', value, 'amqp://guest:guest@127.0.0.1:5672', URL_RULE);
  return URL.canParse(url) ? url : stringOption(owner, 'url', url, undefined, { ...URL_RULE, pattern: NEVER });
}

/** The `connection` option: an amqplib connection (it has `createConfirmChannel()`), a function returning one, or `undefined`. */
function connectionOption(connection: unknown): ResolvedRabbitMqOptions['connection'] {
  if (connection === undefined || typeof connection === 'function') return connection as ResolvedRabbitMqOptions['connection'];
  if (typeof connection !== 'object' || connection === null || typeof (connection as { createConfirmChannel?: unknown }).createConfirmChannel !== 'function') {
    throw invalidOption(owner, 'connection', 'an amqplib connection (await amqplib.connect(...)) or a function returning one', connection);
  }
  return connection as AmqpConnection;
}

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveRabbitMqOptions(given: RabbitMqTransportOptions): ResolvedRabbitMqOptions {
  const options = objectOption(owner, 'options', given) as RabbitMqTransportOptions;
  if (options.url !== undefined && options.connection !== undefined) {
    throw new TypeError(`${owner} options "url" and "connection" exclude each other; give one of them.`);
  }
  const queue = queueName('queue', options.queue, 'troopy.commands');
  const consumerTimeoutMs = numberOption(owner, 'consumerTimeoutMs', options.consumerTimeoutMs, 1_800_000, {
    min: 2_000,
    integer: true,
    infinite: true,
    note: 'milliseconds',
  });
  return {
    url: urlOption(options.url),
    connection: connectionOption(options.connection),
    queue,
    deadLetterQueue: queueName('deadLetterQueue', options.deadLetterQueue, `${queue}.dead`),
    delayQueuePrefix: queueName('delayQueuePrefix', options.delayQueuePrefix, `${queue}.delay.`, LONGEST_BUCKET),
    // AMQP carries the prefetch count in 16 bits.
    prefetch:
      options.prefetch === undefined
        ? undefined
        : numberOption(owner, 'prefetch', options.prefetch, undefined, { min: 1, max: 65_535, integer: true, note: 'deliveries' }),
    consumerTimeoutMs,
    // The broker starts its clock when it sends the delivery, a little before it arrives here.
    maxLeaseMs: consumerTimeoutMs - Math.min(5_000, consumerTimeoutMs / 10),
    prefetchHoldMs: numberOption(owner, 'prefetchHoldMs', options.prefetchHoldMs, 2_000, MILLISECONDS),
    confirmTimeoutMs: numberOption(owner, 'confirmTimeoutMs', options.confirmTimeoutMs, 10_000, MILLISECONDS),
    connectTimeoutMs: numberOption(owner, 'connectTimeoutMs', options.connectTimeoutMs, 3_000, MILLISECONDS),
    maxReconnectDelayMs: numberOption(owner, 'maxReconnectDelayMs', options.maxReconnectDelayMs, 2_000, MILLISECONDS),
    heartbeatSeconds: numberOption(owner, 'heartbeatSeconds', options.heartbeatSeconds, 10, { min: 0, integer: true, note: 'seconds' }),
  };
}
