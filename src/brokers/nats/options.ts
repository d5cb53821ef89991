import type { NatsClientConnection, NatsConnectOptions } from './connection.js';

/** Options of {@link NatsTransport}. Every key is optional. */
export interface NatsTransportOptions {
  /**
   * Where NATS is: one `host:port` (or `nats://` URL) or several of one cluster. Give `servers`
   * or `connection`, not both.
   * @default '127.0.0.1:4222'
   * @example ['nats://n1.internal:4222', 'nats://n2.internal:4222']
   */
  readonly servers?: string | readonly string[] | undefined;
  /**
   * A connection from `@nats-io/transport-node`'s `connect()` to use instead of `servers`. The
   * transport does not close it, and its own options decide reconnection: give it
   * `maxReconnectAttempts: -1`, or a worker stops consuming once the client gives up.
   * @default undefined: the transport connects to `servers` and reconnects for ever
   */
  readonly connection?: NatsClientConnection | undefined;
  /**
   * More options for the connection the transport opens (credentials, TLS, a connection
   * name...); `servers` and the reconnection settings are the transport's unless given here.
   * @default {}
   * @example { user: 'troopy', pass: process.env.NATS_PASSWORD }
   */
  readonly connectOptions?: NatsConnectOptions | undefined;
  /**
   * The JetStream stream that holds the queue (work-queue retention, so an acknowledged
   * message is deleted). It also holds the delayed messages, under `${subject}.delayed`.
   * @default 'troopy-commands'
   */
  readonly stream?: string | undefined;
  /**
   * The subject commands are published to. No wildcards: it names one queue.
   * @default 'troopy.commands'
   */
  readonly subject?: string | undefined;
  /**
   * The durable pull consumer every worker of this queue shares. The delayed messages have
   * their own consumer, `${consumer}-delayed`.
   * @default 'troopy'
   */
  readonly consumer?: string | undefined;
  /**
   * The stream that keeps dead letters (limits retention, one message per id), under the
   * subjects `${subject}.dead.<id>`.
   * @default `${stream}-dead`
   */
  readonly deadLetterStream?: string | undefined;
  /**
   * The lease, in milliseconds, that `setup()` gives the consumer (its `AckWait`) when it creates
   * it; an existing consumer keeps its own. JetStream keeps one lease per consumer, so a
   * `receive()` with another `leaseMs` changes the consumer's `AckWait`, for every worker of the
   * queue and for the deliveries already made. So this is the one source of truth: a `Worker`
   * takes its lease from `transport.leaseMs` and refuses a different `leaseMs` of its own.
   * @default 30_000
   */
  readonly leaseMs?: number | undefined;
  /**
   * The consumer's `MaxDeliver`: after this many deliveries JetStream stops delivering a message
   * and leaves it in the stream, unacknowledged, until someone removes it. Keep it above the
   * worker's `maxDeliveries` (default 10): the worker dead-letters a message on the delivery after
   * `maxDeliveries`, so `MaxDeliver` is only a backstop; `Infinity` for no limit.
   * @default 20
   */
  readonly maxDeliver?: number | undefined;
  /**
   * How long any call to NATS (connecting, a publish's PubAck, a JetStream API request, a pull's
   * answer after its wait) waits before it rejects, in milliseconds. Calls made while the
   * connection is known to be down reject at once.
   * @default 5_000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Where the streams keep their messages. `file` survives a server restart; `memory` does not.
   * @default 'file'
   */
  readonly storage?: 'file' | 'memory' | undefined;
  /**
   * How many replicas the streams and consumers have in a JetStream cluster.
   * @default 1
   */
  readonly replicas?: number | undefined;
}

/** Every name the transport uses on the server, derived from the options. */
export interface NatsNames {
  readonly stream: string;
  readonly subject: string;
  readonly delayedSubject: string;
  readonly consumer: string;
  readonly delayedConsumer: string;
  readonly deadLetterStream: string;
  /** The dead letters' subject prefix; each dead letter is under `${deadLetterSubject}.<id>`. */
  readonly deadLetterSubject: string;
}

/** The options with every default applied. */
export interface ResolvedNatsOptions {
  readonly servers: readonly string[];
  readonly connection: NatsClientConnection | undefined;
  readonly connectOptions: NatsConnectOptions;
  readonly names: NatsNames;
  readonly leaseMs: number;
  readonly maxDeliver: number;
  readonly timeoutMs: number;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
}

const owner = 'NatsTransport';

function name(option: string, value: unknown, fallback: string, pattern: RegExp, rule: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
    throw new TypeError(`${owner} option "${option}" must be ${rule}; got ${shown}.`);
  }
  return value;
}

function integer(option: string, value: unknown, fallback: number, min: number, infinite = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(Number.isInteger(value) || (infinite && value === Infinity)) || value < min) {
    const shown = typeof value === 'number' ? String(value) : typeof value;
    throw new TypeError(`${owner} option "${option}" must be an integer >= ${min}${infinite ? ' or Infinity' : ''}; got ${shown}.`);
  }
  return value;
}

/** Stream and consumer names: no whitespace, dots, wildcards or path separators. */
const RESOURCE = /^[^\s.*>/\\]+$/;
/** Dot-separated tokens without wildcards or whitespace. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveNatsOptions(options: NatsTransportOptions): ResolvedNatsOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${owner} options must be an object; got ${typeof options}.`);
  if (options.servers !== undefined && options.connection !== undefined) {
    throw new TypeError(`${owner} options "servers" and "connection" exclude each other; give one of them.`);
  }
  const servers = typeof options.servers === 'string' ? [options.servers] : (options.servers ?? ['127.0.0.1:4222']);
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((server) => typeof server === 'string' && server !== '')) {
    throw new TypeError(`${owner} option "servers" must be a non-empty string or array of strings; got ${typeof options.servers}.`);
  }
  const connection: unknown = options.connection;
  if (connection !== undefined && (typeof connection !== 'object' || connection === null || typeof (connection as { subscribe?: unknown }).subscribe !== 'function')) {
    throw new TypeError(`${owner} option "connection" must be a NATS connection (from connect() of @nats-io/transport-node); got ${typeof connection}.`);
  }
  const connectOptions: unknown = options.connectOptions ?? {};
  if (typeof connectOptions !== 'object' || connectOptions === null) {
    throw new TypeError(`${owner} option "connectOptions" must be an object; got ${typeof connectOptions}.`);
  }
  const resource = 'a non-empty string without whitespace, ".", "*", ">", "/" or "\\"';
  const stream = name('stream', options.stream, 'troopy-commands', RESOURCE, resource);
  const subject = name('subject', options.subject, 'troopy.commands', SUBJECT, 'a subject of dot-separated tokens without wildcards or whitespace');
  const consumer = name('consumer', options.consumer, 'troopy', RESOURCE, resource);
  const storage = options.storage ?? 'file';
  if (storage !== 'file' && storage !== 'memory') throw new TypeError(`${owner} option "storage" must be 'file' or 'memory'; got ${JSON.stringify(storage)}.`);
  return {
    servers,
    connection: options.connection,
    connectOptions,
    names: {
      stream,
      subject,
      delayedSubject: `${subject}.delayed`,
      consumer,
      delayedConsumer: `${consumer}-delayed`,
      deadLetterStream: name('deadLetterStream', options.deadLetterStream, `${stream}-dead`, RESOURCE, resource),
      deadLetterSubject: `${subject}.dead`,
    },
    leaseMs: integer('leaseMs', options.leaseMs, 30_000, 1),
    maxDeliver: integer('maxDeliver', options.maxDeliver, 20, 2, true),
    timeoutMs: integer('timeoutMs', options.timeoutMs, 5_000, 1),
    storage,
    replicas: integer('replicas', options.replicas, 1, 1),
  };
}
