import { invalidOption, numberOption, objectOption, oneOfOption, stringOption } from '../../check-option.js';
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
const MILLISECONDS = { min: 1, integer: true, note: 'milliseconds' } as const;

/** Stream and consumer names: no whitespace, dots, wildcards or path separators. */
const RESOURCE = /^[^\s.*>/\\]+$/;
/** Dot-separated tokens without wildcards or whitespace. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/**
 * Checks the options and applies the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveNatsOptions(given: NatsTransportOptions): ResolvedNatsOptions {
  const options = objectOption(owner, 'options', given) as NatsTransportOptions;
  if (options.servers !== undefined && options.connection !== undefined) {
    throw new TypeError(`${owner} options "servers" and "connection" exclude each other; give one of them.`);
  }
  const resource = { pattern: RESOURCE, rule: 'a non-empty string without whitespace, ".", "*", ">", "/" or "\\"' };
  const stream = stringOption(owner, 'stream', options.stream, 'troopy-commands', resource);
  const subject = stringOption(owner, 'subject', options.subject, 'troopy.commands', {
    pattern: SUBJECT,
    rule: 'a subject of dot-separated tokens without wildcards or whitespace',
  });
  const consumer = stringOption(owner, 'consumer', options.consumer, 'troopy', resource);
  return {
    servers: serversOption(options.servers),
    connection: connectionOption(options.connection),
    connectOptions: objectOption(owner, 'connectOptions', options.connectOptions),
    names: {
      stream,
      subject,
      delayedSubject: `${subject}.delayed`,
      consumer,
      delayedConsumer: `${consumer}-delayed`,
      deadLetterStream: stringOption(owner, 'deadLetterStream', options.deadLetterStream, `${stream}-dead`, resource),
      deadLetterSubject: `${subject}.dead`,
    },
    leaseMs: numberOption(owner, 'leaseMs', options.leaseMs, 30_000, MILLISECONDS),
    maxDeliver: numberOption(owner, 'maxDeliver', options.maxDeliver, 20, { min: 2, integer: true, infinite: true }),
    timeoutMs: numberOption(owner, 'timeoutMs', options.timeoutMs, 5_000, MILLISECONDS),
    storage: oneOfOption(owner, 'storage', options.storage, 'file', ['file', 'memory'] as const),
    replicas: numberOption(owner, 'replicas', options.replicas, 1, { min: 1, integer: true }),
  };
}

const SERVERS_RULE = 'a non-empty string or a non-empty array of them';

/** The `servers` option as a list: one server, or several of one cluster. A server URL may hold a password, so a bad one is shown by its first 8 characters. */
function serversOption(servers: unknown): readonly string[] {
  if (servers === undefined) return ['127.0.0.1:4222'];
  if (!Array.isArray(servers)) return [stringOption(owner, 'servers', servers, undefined, { rule: SERVERS_RULE, secret: true })];
  if (servers.length === 0 || !servers.every((server) => typeof server === 'string' && server !== ''))
    throw invalidOption(owner, 'servers', SERVERS_RULE, servers);
  return servers as string[];
}

/** The `connection` option: a connection of `@nats-io/transport-node` (it has `subscribe()`), or `undefined`. */
function connectionOption(connection: unknown): NatsClientConnection | undefined {
  if (connection === undefined) return undefined;
  if (typeof connection !== 'object' || connection === null || typeof (connection as { subscribe?: unknown }).subscribe !== 'function') {
    throw invalidOption(owner, 'connection', 'a NATS connection (from connect() of @nats-io/transport-node)', connection);
  }
  return connection as NatsClientConnection;
}
