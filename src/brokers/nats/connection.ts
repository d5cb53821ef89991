import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions, Msg, MsgHdrs, NatsConnection as NatsClient } from '@nats-io/transport-node';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { TransportHealth } from '../../transport/transport.js';
import { lazyClient } from '../client-loader.js';
import { JetStreamRequestError, NatsClientMissingError } from './errors.js';
import type { ResolvedNatsOptions } from './options.js';

/** JetStream's API counts durations (`ack_wait`, a pull's `expires`, a delayed `-NAK`) in nanoseconds. */
export const NANOS_PER_MS = 1_000_000;

/** The connection type of `@nats-io/transport-node` that the `connection` option takes. */
export type NatsClientConnection = NatsClient;

/** Options of `@nats-io/transport-node`'s `connect()`, without `servers` (see `NatsTransportOptions.servers`). */
export type NatsConnectOptions = Omit<ConnectionOptions, 'servers'>;

/** A message received on a subscription: a JetStream delivery or a status (404, 408, 409...). */
export interface InboundMessage {
  readonly subject: string;
  /** The reply subject; for a JetStream delivery, the `$JS.ACK...` subject that acknowledges it. */
  readonly reply: string;
  readonly data: Uint8Array;
  /** The first value of each header. */
  readonly headers: ReadonlyMap<string, string>;
  /** 0 for a message, else the status code of a status message. */
  readonly status: number;
  readonly description: string;
}

/** A message read from a stream by sequence or subject. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: ReadonlyMap<string, string>;
}

/** JetStream's answer to a publish. */
export interface PublishAck {
  /** The message's sequence in the stream. */
  readonly seq: number;
  /** Whether JetStream stored nothing, as it already held a message with the same `Nats-Msg-Id` within its duplicate window. */
  readonly duplicate: boolean;
}

/** A subscription to one subject. */
export interface InboundSubscription {
  /** Unsubscribes; messages already on their way still reach the callback until the server confirms. */
  drain(): void;
  /** Unsubscribes at once. */
  unsubscribe(): void;
}

/** A JetStream API configuration or answer, in the server's own field names. */
export type JetStreamConfig = Readonly<Record<string, unknown>>;

interface ClientModules {
  readonly connect: (options: ConnectionOptions) => Promise<NatsClient>;
  readonly headers: () => MsgHdrs;
  readonly createInbox: () => string;
  readonly jetstream: (client: NatsClient, options: { timeout: number }) => JetStreamClient;
  readonly jetstreamManager: (client: NatsClient, options: { timeout: number; checkAPI: boolean }) => Promise<JetStreamManager>;
}

/**
 * Loads both client packages on first use, so that only users of `troopy/nats` need them
 * installed; a failed load rejects with `NatsClientMissingError` and is tried again next time.
 */
const loadClient = lazyClient<ClientModules>(
  async () => {
    const [node, js] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    return { connect: node.connect, headers: node.headers, createInbox: node.createInbox, jetstream: js.jetstream, jetstreamManager: js.jetstreamManager };
  },
  (cause) => new NatsClientMissingError(cause),
);

interface Session {
  readonly client: NatsClient;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly modules: ClientModules;
}

/**
 * The only place that talks to the NATS client library. It opens the connection on first use
 * (or takes the one given), tracks its state for `health()`, and gives the adapter's other files
 * plain operations: publish with PubAck, core publish, subscribe, and the
 * JetStream API. Every operation rejects with `TransportUnavailableError` within `timeoutMs`,
 * and at once while the connection is known to be down; JetStream's own refusals reject with
 * `JetStreamRequestError`.
 */
export class NatsConnection {
  readonly #options: ResolvedNatsOptions;
  readonly #transport: string;
  #session: Promise<Session> | undefined;
  #current: Session | undefined;
  #state: 'idle' | 'connected' | 'reconnecting' | 'failed' = 'idle';
  #closing = false;
  /** Called when the connection drops, so that calls waiting for an answer end at once. */
  readonly #lostListeners = new Set<() => void>();
  #statuses: { stop?: (() => void) | undefined } | undefined;

  constructor(options: ResolvedNatsOptions, transport: string) {
    this.#options = options;
    this.#transport = transport;
  }

  /** `connected` while the connection is up; `reconnecting` before it is first opened and while the client reconnects; `failed` once it closed or when the client packages could not be loaded. */
  health(): TransportHealth {
    return this.#state === 'connected' ? 'connected' : this.#state === 'failed' ? 'failed' : 'reconnecting';
  }

  /**
   * Publishes to a stream and resolves with the PubAck once JetStream has the message: `duplicate`
   * when it stored nothing because it had already stored a message with this `msgId` within the
   * stream's duplicate window (`seq` is then that message's sequence).
   */
  async publish(operation: string, subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>, msgId?: string): Promise<PublishAck> {
    const session = await this.#ready(operation);
    const natsHeaders = session.modules.headers();
    for (const [key, value] of Object.entries(headers)) natsHeaders.set(key, value);
    const options = { headers: natsHeaders, timeout: this.#options.timeoutMs, ...(msgId === undefined ? {} : { msgID: msgId }) };
    const ack = await this.#answer(operation, session.js.publish(subject, data, options));
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Publishes a core NATS message (an acknowledgement, a pull request); throws while the connection is down. */
  emit(operation: string, subject: string, payload: string, reply?: string): void {
    const session = this.#connected(operation);
    session.client.publish(subject, payload, reply === undefined ? undefined : { reply });
  }

  /** A unique subject for replies. @throws while the connection is down. */
  inbox(operation: string): string {
    return this.#connected(operation).modules.createInbox();
  }

  /** Subscribes to `subject`; the callback gets every message and status. @throws while the connection is down. */
  subscribe(operation: string, subject: string, onMessage: (message: InboundMessage) => void): InboundSubscription {
    const subscription = this.#connected(operation).client.subscribe(subject, {
      callback: (error, message) => {
        if (error === null) onMessage(inbound(message));
      },
    });
    return {
      drain: () => {
        subscription.drain().catch(() => undefined);
      },
      unsubscribe: () => {
        subscription.unsubscribe();
      },
    };
  }

  /** Calls back once when the connection drops; returns a function that cancels the call. */
  onLost(callback: () => void): () => void {
    this.#lostListeners.add(callback);
    return () => {
      this.#lostListeners.delete(callback);
    };
  }

  /** The stream's configuration, or `undefined` when there is no such stream. */
  async streamConfig(operation: string, stream: string): Promise<JetStreamConfig | undefined> {
    const { jsm } = await this.#ready(operation);
    try {
      const info = await this.#answer(operation, jsm.streams.info(stream));
      return info.config;
    } catch (error) {
      if (error instanceof JetStreamRequestError && error.apiCode === STREAM_NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Creates a stream; JetStream accepts it again when the configuration is the same. */
  async addStream(operation: string, config: JetStreamConfig): Promise<void> {
    const { jsm } = await this.#ready(operation);
    await this.#answer(operation, jsm.streams.add(config as Parameters<JetStreamManager['streams']['add']>[0]));
  }

  /** Changes a stream's configuration. */
  async updateStream(operation: string, stream: string, config: JetStreamConfig): Promise<void> {
    const { jsm } = await this.#ready(operation);
    await this.#answer(operation, jsm.streams.update(stream, config as Parameters<JetStreamManager['streams']['update']>[1]));
  }

  /** Deletes a stream; resolves `false` if there was none. */
  async deleteStream(operation: string, stream: string): Promise<boolean> {
    const { jsm } = await this.#ready(operation);
    try {
      return await this.#answer(operation, jsm.streams.delete(stream));
    } catch (error) {
      if (error instanceof JetStreamRequestError && error.apiCode === STREAM_NOT_FOUND) return false;
      throw error;
    }
  }

  /** Creates a durable consumer, or changes the settings of an existing one that JetStream lets change. */
  async addConsumer(operation: string, stream: string, config: JetStreamConfig): Promise<void> {
    const { jsm } = await this.#ready(operation);
    await this.#answer(operation, jsm.consumers.add(stream, config as Parameters<JetStreamManager['consumers']['add']>[1]));
  }

  /** The consumer's configuration, or `undefined` when there is no such consumer. */
  async consumerConfig(operation: string, stream: string, consumer: string): Promise<JetStreamConfig | undefined> {
    const { jsm } = await this.#ready(operation);
    try {
      const info = await this.#answer(operation, jsm.consumers.info(stream, consumer));
      return info.config;
    } catch (error) {
      if (error instanceof JetStreamRequestError && error.apiCode === CONSUMER_NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Changes some settings of an existing consumer. */
  async updateConsumer(operation: string, stream: string, consumer: string, config: JetStreamConfig): Promise<void> {
    const { jsm } = await this.#ready(operation);
    await this.#answer(operation, jsm.consumers.update(stream, consumer, config as Parameters<JetStreamManager['consumers']['update']>[2]));
  }

  /** Reads one message by `{ seq }`, `{ last_by_subj }` or `{ seq, next_by_subj }`; `undefined` when there is none. */
  async getMessage(operation: string, stream: string, query: JetStreamConfig): Promise<StoredMessage | undefined> {
    const { jsm } = await this.#ready(operation);
    const stored = await this.#answer(operation, jsm.streams.getMessage(stream, query as unknown as { seq: number }));
    if (stored === null) return undefined;
    return { seq: stored.seq, subject: stored.subject, data: stored.data, headers: headerMap(stored.header) };
  }

  /** Removes the stream's messages on `subject` (all of them without one); resolves how many. */
  async purge(operation: string, stream: string, subject?: string): Promise<number> {
    const { jsm } = await this.#ready(operation);
    const response = await this.#answer(operation, jsm.streams.purge(stream, subject === undefined ? undefined : { filter: subject }));
    return response.purged;
  }

  /**
   * Drains and closes the connection the transport opened (pending acknowledgements are sent
   * first); a connection given in the options stays open. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const session = this.#current;
    this.#state = 'failed';
    this.#statuses?.stop?.();
    if (session === undefined || this.#options.connection !== undefined || session.client.isClosed()) return;
    const drained = session.client.drain().catch(() => undefined);
    const late = new Promise((resolve) => setTimeout(resolve, this.#options.timeoutMs).unref());
    await Promise.race([drained, late]);
    if (!session.client.isClosed()) await session.client.close().catch(() => undefined);
  }

  #ready(operation: string): Promise<Session> {
    if (this.#closing) return Promise.reject(this.#unavailable(operation, 'the transport is closing'));
    if (this.#current !== undefined && this.#state === 'reconnecting') {
      return Promise.reject(this.#unavailable(operation, `the connection to NATS at ${this.#where()} is lost; the client is reconnecting`));
    }
    this.#session ??= this.#open().then(
      (session) => (this.#current = session),
      (error: unknown) => {
        this.#session = undefined;
        if (error instanceof NatsClientMissingError) {
          this.#state = 'failed';
          throw error;
        }
        const detail = error instanceof Error ? error.message : String(error);
        throw this.#unavailable(operation, `cannot connect to NATS at ${this.#where()} (${detail})`, error);
      },
    );
    return this.#session;
  }

  #connected(operation: string): Session {
    const session = this.#current;
    if (session === undefined || this.#state !== 'connected') {
      throw this.#unavailable(operation, `the connection to NATS at ${this.#where()} is ${session === undefined ? 'not open' : 'lost'}`);
    }
    return session;
  }

  async #open(): Promise<Session> {
    const modules = await loadClient();
    const given = this.#options.connection;
    const client =
      given ??
      (await modules.connect({
        name: this.#transport,
        timeout: this.#options.timeoutMs,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        reconnectJitter: 250,
        pingInterval: 10_000,
        // Errors get the stack of the failing call without it; capturing one per publish costs a sixth of the CPU.
        noAsyncTraces: true,
        ...this.#options.connectOptions,
        servers: [...this.#options.servers],
      }));
    const timeout = this.#options.timeoutMs;
    let jsm: JetStreamManager;
    try {
      jsm = await modules.jetstreamManager(client, { timeout, checkAPI: false });
    } catch (error) {
      if (given === undefined) await client.close().catch(() => undefined);
      throw error;
    }
    const session: Session = { client, modules, js: modules.jetstream(client, { timeout }), jsm };
    this.#state = client.isClosed() ? 'failed' : 'connected';
    void this.#watch(session);
    return session;
  }

  /** Follows the client's status: a drop makes waiting calls reject; a closed connection is opened anew on next use. */
  async #watch(session: Session): Promise<void> {
    const { client } = session;
    void client.closed().then(() => {
      if (this.#current !== session) return;
      this.#state = 'failed';
      this.#dropped();
      // A connection we opened is opened again by the next call; a given one stays failed.
      if (this.#options.connection === undefined && !this.#closing) {
        this.#current = undefined;
        this.#session = undefined;
      }
    });
    const statuses = client.status();
    this.#statuses = statuses as { stop?: (() => void) | undefined };
    for await (const status of statuses) {
      if (this.#current !== session && this.#current !== undefined) return;
      if (status.type === 'disconnect') {
        this.#state = 'reconnecting';
        this.#dropped();
      } else if (status.type === 'reconnect') {
        this.#state = 'connected';
      }
    }
  }

  #dropped(): void {
    const listeners = [...this.#lostListeners];
    this.#lostListeners.clear();
    for (const listener of listeners) listener();
  }

  /** Waits for `answer`, rejecting at once if the connection drops first; translates the client's errors. */
  async #answer<T>(operation: string, answer: Promise<T>): Promise<T> {
    let cancel = (): void => undefined;
    const lost = new Promise<never>((_, reject) => {
      cancel = this.onLost(() => {
        reject(LOST);
      });
    });
    try {
      return await Promise.race([answer, lost]);
    } catch (error) {
      throw this.#translate(operation, error);
    } finally {
      cancel();
    }
  }

  #translate(operation: string, error: unknown): Error {
    if (error instanceof TransportUnavailableError || error instanceof JetStreamRequestError) return error;
    if (error === LOST) return this.#unavailable(operation, `the connection to NATS at ${this.#where()} was lost before the server answered`);
    const api = apiError(error);
    if (api !== undefined) return new JetStreamRequestError(this.#transport, operation, api.code, api.description, { cause: error });
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const hint = /no responders|not enabled|503/i.test(detail) ? '; JetStream is not answering (the server may be starting, or the stream was deleted)' : '';
    return this.#unavailable(operation, `NATS at ${this.#where()} did not answer within ${this.#options.timeoutMs} ms (${detail})${hint}`, error);
  }

  #unavailable(operation: string, detail: string, cause?: unknown): TransportUnavailableError {
    return new TransportUnavailableError(this.#transport, operation, detail, cause === undefined ? undefined : { cause });
  }

  #where(): string {
    return this.#options.connection === undefined ? this.#options.servers.join(', ') : 'the given connection';
  }
}

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
/** The reason waiting calls reject with when the connection drops; translated before it reaches a caller. */
const LOST = new Error('connection lost');

/** JetStream's error answer (`{ err_code, description }`), when `error` carries one. */
function apiError(error: unknown): { code: number; description: string } | undefined {
  const candidate = error as { apiError?: () => { err_code?: number; description?: string } } | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.apiError !== 'function') return undefined;
  const answer = candidate.apiError();
  return { code: answer.err_code ?? 0, description: answer.description ?? String(error) };
}

function headerMap(headers: MsgHdrs | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (headers === undefined) return map;
  for (const [key, values] of headers) {
    const first = values[0];
    if (first !== undefined) map.set(key, first);
  }
  return map;
}

function inbound(message: Msg): InboundMessage {
  const status = message.headers?.code ?? 0;
  return {
    subject: message.subject,
    reply: message.reply ?? '',
    data: message.data,
    headers: headerMap(message.headers),
    status: message.reply === undefined || message.reply === '' ? status : 0,
    description: message.headers?.description ?? '',
  };
}
