import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { describeThrown } from '../../describe.js';
import { backoffDelay } from '../../transport/backoff.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
import type { TransportHealth } from '../../transport/transport.js';
import { lazyClient } from '../client-loader.js';
import { RabbitMqClientMissingError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

/** An amqplib connection (what `amqplib.connect()` resolves with), the type the `connection` option takes. */
export type AmqpConnection = ChannelModel;
/** An amqplib confirm channel: the transport publishes, consumes and acknowledges on these. */
export type AmqpChannel = ConfirmChannel;
/** A message as amqplib hands it over (from a consumer or `basic.get`). */
export type AmqpMessage = Message;
/** The properties of one publish. */
export type AmqpPublishOptions = Options.Publish;

type Connect = (url: string, socketOptions: { readonly timeout: number }) => Promise<AmqpConnection>;

/** Loads amqplib on first use, so that only users of `troopy/rabbitmq` need it installed. */
const loadAmqplib = lazyClient(
  async () => (await import('amqplib')).connect as Connect,
  (cause) => new RabbitMqClientMissingError(cause),
);

/** The ceiling of the first background reconnection's pause, in milliseconds; it doubles up to `maxReconnectDelayMs`. */
const RECONNECT_BASE_MS = 100;

/**
 * The only place that talks to amqplib's connection. It opens the connection on first use,
 * numbers each one (`generation`), and after a loss reconnects in the background with capped
 * exponential backoff; an operation that needs the connection meanwhile makes an attempt at
 * once and rejects with `TransportUnavailableError` if it fails, so nothing waits forever.
 *
 * A connection given as an object (option `connection`) is used as it is: it is not closed by
 * the transport and cannot be reopened, so its loss leaves the transport `failed`.
 */
export class RabbitMqConnection {
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  #model: AmqpConnection | undefined;
  #attempt: Promise<AmqpConnection> | undefined;
  #generation = 0;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #fatal: Error | undefined;
  #blocked: string | undefined;
  readonly #guard: ClosedGuard;

  constructor(options: ResolvedRabbitMqOptions, transport: string) {
    this.#options = options;
    this.#transport = transport;
    this.#guard = new ClosedGuard(transport);
  }

  /** Counts connections opened so far; a new number means declarations and channels are new too. */
  get generation(): number {
    return this.#generation;
  }

  /** Why the broker blocks publishing on this connection (a memory or disk alarm), or `undefined` when it does not. */
  get blocked(): string | undefined {
    return this.#blocked;
  }

  /** `connected` while open, `failed` once closed or unrecoverable, else `reconnecting`. */
  health(): TransportHealth {
    if (this.#guard.closing || this.#fatal !== undefined) return 'failed';
    return this.#model === undefined ? 'reconnecting' : 'connected';
  }

  /**
   * Opens a confirm channel on the open connection (connecting first when needed). Its errors
   * are absorbed: owners learn of its end through its `close` event.
   *
   * @throws {TransportUnavailableError} when the broker cannot be reached.
   * @throws {TransportClosedError} after `close()`.
   */
  async channel(operation: string): Promise<AmqpChannel> {
    const model = await this.#open(operation);
    try {
      const channel = await model.createConfirmChannel();
      // Without a listener, a channel error (a failed declaration, consumer_timeout) would crash the process.
      channel.on('error', () => undefined);
      return channel;
    } catch (error) {
      throw this.unavailable(operation, `could not open a channel (${describeThrown(error).message})`, error);
    }
  }

  /** Closes the connection if the transport opened it; waits at most one second for the broker. */
  close(): Promise<void> {
    return this.#guard.close(async () => {
      clearTimeout(this.#retryTimer);
      const model = this.#model ?? (await this.#attempt?.catch(() => undefined));
      this.#model = undefined;
      if (model === undefined || typeof this.#options.connection === 'object') return;
      await Promise.race([model.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    });
  }

  /** The error an operation rejects with when the broker cannot be reached. */
  unavailable(operation: string, detail: string, cause?: unknown): TransportUnavailableError {
    return new TransportUnavailableError(this.#transport, operation, `RabbitMQ ${detail}`, cause === undefined ? undefined : { cause });
  }

  async #open(operation: string): Promise<AmqpConnection> {
    this.#guard.check(operation);
    if (this.#fatal !== undefined) throw this.#fatal;
    if (this.#model !== undefined) return this.#model;
    this.#attempt ??= this.#connect().finally(() => (this.#attempt = undefined));
    try {
      return await this.#attempt;
    } catch (error) {
      if (error instanceof RabbitMqClientMissingError || error instanceof TransportClosedError) throw error;
      throw this.unavailable(operation, `at ${this.#where()} cannot be reached (${describeThrown(error).message})`, error);
    }
  }

  async #connect(): Promise<AmqpConnection> {
    clearTimeout(this.#retryTimer);
    let model: AmqpConnection;
    try {
      model = await this.#dial();
    } catch (error) {
      if (error instanceof RabbitMqClientMissingError) this.#fatal = error;
      else this.#scheduleRetry();
      throw error;
    }
    if (this.#guard.closing) {
      if (typeof this.#options.connection !== 'object') await model.close().catch(() => undefined);
      throw new TransportClosedError(this.#transport, 'connect');
    }
    this.#failures = 0;
    this.#generation++;
    this.#model = model;
    // Errors also end in 'close'; this listener only keeps them from being thrown.
    model.on('error', () => undefined);
    model.on('blocked', (reason: string) => {
      if (this.#model === model) this.#blocked = reason;
    });
    model.on('unblocked', () => {
      if (this.#model === model) this.#blocked = undefined;
    });
    model.once('close', () => {
      if (this.#model !== model) return;
      this.#model = undefined;
      this.#blocked = undefined;
      if (typeof this.#options.connection === 'object') {
        this.#fatal = this.unavailable('use the connection', 'connection given in option "connection" closed; give "url" to let the transport reconnect');
      } else {
        this.#scheduleRetry();
      }
    });
    return model;
  }

  /** One connection attempt, bounded by `connectTimeoutMs`. */
  async #dial(): Promise<AmqpConnection> {
    const { connection, connectTimeoutMs } = this.#options;
    if (typeof connection === 'object') return connection;
    const opening = connection === undefined ? loadAmqplib().then((connect) => connect(this.#url(), { timeout: connectTimeoutMs })) : connection();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no connection within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
    });
    try {
      return await Promise.race([opening, timeout]);
    } catch (error) {
      // A connection that opens after the timeout is nobody's: close it.
      opening
        .then(
          (late) => late.close(),
          () => undefined,
        )
        .catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Background reconnection after a loss, through the shared backoff (full jitter). No floor:
   * a pause of 0 ms only opens a new socket at once, and an operation that needs the connection
   * meanwhile makes its own attempt anyway.
   */
  #scheduleRetry(): void {
    if (this.#guard.closing || this.#generation === 0 || this.#retryTimer !== undefined) return;
    const delayMs = backoffDelay(++this.#failures, { baseMs: RECONNECT_BASE_MS, capMs: this.#options.maxReconnectDelayMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#model === undefined && this.#attempt === undefined && !this.#guard.closing) {
        this.#attempt = this.#connect().finally(() => (this.#attempt = undefined));
        this.#attempt.catch(() => undefined);
      }
    }, delayMs);
    this.#retryTimer.unref();
  }

  #url(): string {
    const url = new URL(this.#options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(this.#options.heartbeatSeconds));
    return url.toString();
  }

  /** host:port without credentials, for error messages. */
  #where(): string {
    if (this.#options.connection !== undefined) return 'the connection given in option "connection"';
    const url = new URL(this.#options.url);
    return `${url.hostname}:${url.port === '' ? '5672' : url.port}`;
  }
}

/** The part of a socket that {@link coalesceWrites} uses. */
interface Corkable {
  cork(): void;
  uncork(): void;
  prependListener(event: 'drain', listener: () => void): unknown;
}

/** Sockets corked now, until their scheduled uncork; a socket is in the map once {@link coalesceWrites} has seen it. */
const sockets = new WeakMap<Corkable, { corked: boolean }>();

/**
 * Holds back the socket writes of `channel`'s connection until amqplib has written what was just
 * published, so that they leave in one `writev` instead of one write per frame (amqplib writes
 * every frame on its own, and a hundred publishes otherwise cost a hundred system calls).
 *
 * Call it right after publishing: amqplib hands frames to the socket in a `setImmediate` that its
 * channel streams schedule from `process.nextTick`, so the socket is released by an immediate
 * scheduled from a later tick, after that one. amqplib stops writing when the socket's buffer is
 * full and goes on at its `drain`; the socket is corked again then, so that the rest of a large
 * batch leaves in writes of a full buffer each too. Reaches into amqplib's connection (its
 * `stream`); does nothing when that is not a corkable stream.
 */
export function coalesceWrites(channel: AmqpChannel): void {
  const socket = (channel as unknown as { readonly connection?: { readonly stream?: Partial<Corkable> } }).connection?.stream;
  if (typeof socket?.cork !== 'function' || typeof socket.uncork !== 'function' || typeof socket.prependListener !== 'function') return;
  const stream = socket as Corkable;
  let state = sockets.get(stream);
  if (state === undefined) {
    const created = { corked: false };
    sockets.set(stream, (state = created));
    stream.prependListener('drain', () => {
      corkUntilWritten(stream, created);
    });
  }
  corkUntilWritten(stream, state);
}

function corkUntilWritten(stream: Corkable, state: { corked: boolean }): void {
  if (state.corked) return;
  state.corked = true;
  stream.cork();
  process.nextTick(() => {
    setImmediate(() => {
      state.corked = false;
      stream.uncork();
    });
  });
}
