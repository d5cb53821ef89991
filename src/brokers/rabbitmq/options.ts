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
   * The longest pause between two background reconnection attempts, in milliseconds (backoff doubles up to it).
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

/** Checks a queue name: AMQP short string (255 bytes), not in the broker's reserved `amq.` space. */
function queueName(name: string, value: unknown, fallback: string, room = 0): string {
  if (value === undefined) value = fallback;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${owner} option "${name}" must be a non-empty string; got ${value === '' ? 'an empty string' : typeof value}.`);
  }
  if (value.startsWith('amq.')) throw new TypeError(`${owner} option "${name}" must not start with "amq." (reserved by RabbitMQ); got ${JSON.stringify(value)}.`);
  const bytes = Buffer.byteLength(value) + room;
  if (bytes > 255) {
    throw new TypeError(`${owner} option "${name}" must leave queue names of at most 255 bytes; ${JSON.stringify(value.slice(0, 40))}… makes ${bytes}.`);
  }
  return value;
}

function integer(name: string, value: unknown, fallback: number, min: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`${owner} option "${name}" must be an integer >= ${min} (${unit}); got ${typeof value === 'number' ? value : typeof value}.`);
  }
  return value;
}

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveRabbitMqOptions(options: RabbitMqTransportOptions): ResolvedRabbitMqOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${owner} options must be an object; got ${typeof options}.`);
  if (options.url !== undefined && options.connection !== undefined) {
    throw new TypeError(`${owner} options "url" and "connection" exclude each other; give one of them.`);
  }
  const url = options.url ?? 'amqp://guest:guest@127.0.0.1:5672';
  if (typeof url !== 'string' || !/^amqps?:\/\//.test(url) || !URL.canParse(url)) {
    throw new TypeError(`${owner} option "url" must be an amqp:// or amqps:// URL; got ${typeof url === 'string' ? `a string starting with ${JSON.stringify(url.slice(0, 8))}` : typeof url}.`);
  }
  const connection: unknown = options.connection;
  if (connection !== undefined && typeof connection !== 'function' && (typeof connection !== 'object' || connection === null || typeof (connection as { createConfirmChannel?: unknown }).createConfirmChannel !== 'function')) {
    throw new TypeError(`${owner} option "connection" must be an amqplib connection (await amqplib.connect(...)) or a function returning one; got ${connection === null ? 'null' : typeof connection}.`);
  }
  const queue = queueName('queue', options.queue, 'troopy.commands');
  const consumerTimeoutMs = options.consumerTimeoutMs === Infinity ? Infinity : integer('consumerTimeoutMs', options.consumerTimeoutMs, 1_800_000, 2_000, 'milliseconds, or Infinity');
  const prefetch = options.prefetch === undefined ? undefined : integer('prefetch', options.prefetch, 0, 1, 'deliveries');
  if (prefetch !== undefined && prefetch > 65_535) throw new TypeError(`${owner} option "prefetch" must be at most 65535 (AMQP's limit); got ${prefetch}.`);
  return {
    url,
    connection: options.connection,
    queue,
    deadLetterQueue: queueName('deadLetterQueue', options.deadLetterQueue, `${queue}.dead`),
    delayQueuePrefix: queueName('delayQueuePrefix', options.delayQueuePrefix, `${queue}.delay.`, LONGEST_BUCKET),
    prefetch,
    consumerTimeoutMs,
    // The broker starts its clock when it sends the delivery, a little before it arrives here.
    maxLeaseMs: consumerTimeoutMs - Math.min(5_000, consumerTimeoutMs / 10),
    prefetchHoldMs: integer('prefetchHoldMs', options.prefetchHoldMs, 2_000, 1, 'milliseconds'),
    confirmTimeoutMs: integer('confirmTimeoutMs', options.confirmTimeoutMs, 10_000, 1, 'milliseconds'),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs, 3_000, 1, 'milliseconds'),
    maxReconnectDelayMs: integer('maxReconnectDelayMs', options.maxReconnectDelayMs, 2_000, 1, 'milliseconds'),
    heartbeatSeconds: integer('heartbeatSeconds', options.heartbeatSeconds, 10, 0, 'seconds'),
  };
}
