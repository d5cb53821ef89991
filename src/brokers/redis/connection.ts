import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { backoffDelay } from '../../transport/backoff.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { TransportHealth } from '../../transport/transport.js';
import { lazyClient } from '../client-loader.js';
import type { ResolvedRedisOptions } from './options.js';
import { RedisClientMissingError } from './errors.js';

/** The ioredis client type the `client` option takes. */
export type RedisClient = Redis;

/** One Redis command: its name, then its arguments. */
export type RedisCommand = readonly [name: string, ...args: (string | number | Buffer)[]];

/** A Lua script, run with EVALSHA (and loaded again whenever Redis answers NOSCRIPT). */
export interface RedisScript {
  readonly lua: string;
  readonly sha: string;
}

/**
 * Waits for `promise`, but at most `ms` milliseconds. The timer is cleared as soon as the promise
 * settles, so a closed transport never keeps its process alive for the rest of the wait.
 */
export async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every script by SHA1, so that a pipeline meeting NOSCRIPT (after a Redis restart) can load it. */
const scripts = new Map<string, string>();

/** Prepares a Lua script; run it with {@link RedisConnection.script} or an `evalsha` command in a pipeline. */
export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  scripts.set(sha, lua);
  return { lua, sha };
}

/** The EVALSHA command that runs `script`, for {@link RedisConnection.pipeline}. */
export function evalsha(script: RedisScript, keys: readonly string[], args: readonly (string | number | Buffer)[]): RedisCommand {
  return ['EVALSHA', script.sha, keys.length, ...keys, ...args];
}

type RedisConstructor = new (...args: [string, RedisOptions] | [RedisOptions]) => Redis;

/** Loads ioredis on first use, so that only users of `troopy/redis` need it installed. */
const loadRedis = lazyClient(
  async () => (await import('ioredis')).Redis as unknown as RedisConstructor,
  (cause) => new RedisClientMissingError(cause),
);

/** The ceiling of the first reconnection's pause, in milliseconds; it doubles up to `maxReconnectDelayMs`. */
const RECONNECT_BASE_MS = 100;

/**
 * The only place that talks to the Redis client library. It holds two connections: one for
 * sends, acks and scripts, which fails fast while Redis is unreachable (no offline queue), and
 * one for blocking reads, so that a waiting XREADGROUP never delays a send or an ack. Both
 * reconnect by themselves with capped exponential backoff (full jitter). Replies come back as Buffers.
 */
export class RedisConnection {
  readonly #options: ResolvedRedisOptions;
  readonly #transport: string;
  #commands: Promise<Redis> | undefined;
  #blocking: Promise<Redis> | undefined;
  #commandClient: Redis | undefined;
  #blockingClient: Redis | undefined;
  #blockingId: number | undefined;
  #batch: { operation: string; command: RedisCommand; resolve: (reply: unknown) => void; reject: (error: unknown) => void }[] = [];

  constructor(options: ResolvedRedisOptions, transport: string) {
    this.#options = options;
    this.#transport = transport;
  }

  /** Runs one command on the command connection. */
  async call(operation: string, command: RedisCommand): Promise<unknown> {
    const client = await this.#ready(await this.#commandConnection(), operation);
    const [name, ...args] = command;
    return this.#translate(operation, () => client.callBuffer(name, args));
  }

  /** Runs commands in one round trip; rejects if any of them failed. */
  async pipeline(operation: string, commands: readonly RedisCommand[]): Promise<unknown[]> {
    const results = await this.#exec(operation, commands);
    return results.map(([error, reply]) => {
      if (error !== null) throw this.#error(operation, error);
      return reply;
    });
  }

  /**
   * Runs a Lua script on the command connection. Scripts called in the same turn of the event
   * loop (the acks of concurrent handlers) share one pipeline; each still settles on its own.
   */
  script(operation: string, script: RedisScript, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#batch.length === 0) setImmediate(() => void this.#flush());
      this.#batch.push({ operation, command: evalsha(script, keys, args), resolve, reject });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    try {
      const results = await this.#exec(
        batch[0]?.operation ?? 'run a script',
        batch.map((call) => call.command),
      );
      batch.forEach((call, index) => {
        const [error, reply] = results[index] ?? [new Error('no reply'), null];
        if (error === null) call.resolve(reply);
        else call.reject(this.#error(call.operation, error));
      });
    } catch (error) {
      for (const call of batch) call.reject(error instanceof TransportUnavailableError ? this.#unavailable(call.operation, error.detail, error.cause) : error);
    }
  }

  /** One pipeline; EVALSHA commands that met NOSCRIPT did not run, so their scripts are loaded and they alone run again. */
  async #exec(operation: string, commands: readonly RedisCommand[]): Promise<[Error | null, unknown][]> {
    const client = await this.#ready(await this.#commandConnection(), operation);
    const exec = (batch: readonly RedisCommand[]): Promise<[Error | null, unknown][]> =>
      this.#translate(operation, async () => (await client.pipeline(batch.map((command) => ['callBuffer', ...command])).exec()) ?? []);
    const results = await exec(commands);
    const missing = results.flatMap(([error], index) => (error?.message.startsWith('NOSCRIPT') === true ? [index] : []));
    if (missing.length > 0) {
      const shas = new Set(missing.map((index) => String(commands[index]?.[1])));
      await exec([...shas].map((sha) => ['SCRIPT', 'LOAD', scripts.get(sha) ?? '']));
      const again = await exec(missing.map((index) => commands[index] as RedisCommand));
      missing.forEach((index, position) => (results[index] = again[position] ?? [new Error('no reply'), null]));
    }
    return results;
  }

  /** Runs a blocking command (XREADGROUP ... BLOCK) on the blocking connection. */
  async block(operation: string, command: RedisCommand): Promise<unknown> {
    const client = await this.#ready(await this.#blockingConnection(), operation);
    const [name, ...args] = command;
    return this.#translate(operation, () => client.callBuffer(name, args));
  }

  /** Ends a blocking command in progress (CLIENT UNBLOCK); resolves whether one was ended. */
  async unblock(): Promise<boolean> {
    if (this.#blockingId === undefined || this.#commandClient?.status !== 'ready') return false;
    const reply = await this.#commandClient.call('CLIENT', ['UNBLOCK', String(this.#blockingId)]).catch(() => 0);
    return reply === 1;
  }

  /** `connected` when every open connection is ready, `failed` when one gave up, else `reconnecting`. */
  health(): TransportHealth {
    const statuses = [this.#commandClient?.status ?? 'wait', this.#blockingClient?.status ?? 'ready'];
    if (statuses.includes('end')) return 'failed';
    return statuses.every((status) => status === 'ready') ? 'connected' : 'reconnecting';
  }

  /** Closes the connections the transport opened; a client given in the options stays open. */
  async close(): Promise<void> {
    this.#blockingClient?.disconnect();
    const commands = this.#commandClient;
    if (commands === undefined || this.#options.client !== undefined) return;
    const quit = commands.status === 'ready' ? commands.quit().catch(() => undefined) : Promise.resolve();
    await withinMs(quit, 1_000);
    commands.disconnect();
  }

  #commandConnection(): Promise<Redis> {
    this.#commands ??= (async () => {
      const given = this.#options.client;
      if (given !== undefined) return given;
      const Redis = await loadRedis();
      const settings = { ...this.#clientOptions(), enableOfflineQueue: false, maxRetriesPerRequest: 1 };
      const client = this.#options.url === undefined ? new Redis(settings) : new Redis(this.#options.url, settings);
      // Outages show in health() and in the failing calls; without a listener ioredis prints each error.
      client.on('error', () => undefined);
      return client;
    })().then((client) => (this.#commandClient = client));
    return this.#commands;
  }

  #blockingConnection(): Promise<Redis> {
    this.#blocking ??= this.#commandConnection().then((commands) => {
      const client = commands.duplicate({ ...this.#clientOptions(), enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false });
      client.on('error', () => undefined);
      client.on('ready', () => {
        this.#blockingId = undefined;
        client.client('ID').then(
          (id) => (this.#blockingId = id),
          () => undefined,
        );
      });
      return (this.#blockingClient = client);
    });
    return this.#blocking;
  }

  #clientOptions(): RedisOptions {
    return {
      lazyConnect: true,
      protocol: 2,
      connectTimeout: this.#options.connectTimeoutMs,
      // ioredis takes a 0 ms delay as "reconnect at once" and the ceiling doubles on each failure, so no floor is needed.
      retryStrategy: (attempt) => backoffDelay(attempt, { baseMs: RECONNECT_BASE_MS, capMs: this.#options.maxReconnectDelayMs }),
      connectionName: `troopy:${this.#options.consumer}`,
    };
  }

  /** Waits until the client can take commands, or rejects at once while Redis is known to be down. */
  async #ready(client: Redis, operation: string): Promise<Redis> {
    if (client.status === 'ready') return client;
    if (client.status !== 'wait' && client.status !== 'connecting' && client.status !== 'connect') {
      throw this.#unavailable(operation, `Redis at ${this.#where(client)} is ${client.status}`);
    }
    if (client.status === 'wait') client.connect().catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        client.off('ready', onReady).off('close', onClose).off('error', onError);
        if (error === undefined) resolve();
        else reject(this.#unavailable(operation, `cannot connect to Redis at ${this.#where(client)} (${error.message})`, error));
      };
      let lastError: Error | undefined;
      const onReady = (): void => {
        settle();
      };
      const onError = (error: Error): void => {
        lastError = error;
      };
      const onClose = (): void => {
        settle(lastError ?? new Error('connection closed'));
      };
      const timer = setTimeout(() => {
        settle(new Error(`no connection within ${this.#options.connectTimeoutMs} ms`));
      }, this.#options.connectTimeoutMs);
      client.on('ready', onReady).on('close', onClose).on('error', onError);
    });
    return client;
  }

  async #translate<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#error(operation, error);
    }
  }

  /** Redis's own replies (ReplyError: NOGROUP, WRONGTYPE...) pass through; connection failures are translated. */
  #error(operation: string, error: unknown): unknown {
    if (error instanceof Error && error.name === 'ReplyError') return error;
    const where = this.#commandClient === undefined ? 'Redis' : `Redis at ${this.#where(this.#commandClient)}`;
    const lost = error instanceof Error && (error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.');
    const detail = lost
      ? `the connection to ${where} was lost before it answered`
      : `${where} did not answer (${error instanceof Error ? error.message : String(error)})`;
    return this.#unavailable(operation, detail, error);
  }

  #unavailable(operation: string, detail: string, cause?: unknown): TransportUnavailableError {
    return new TransportUnavailableError(this.#transport, operation, detail, cause === undefined ? undefined : { cause });
  }

  /** host:port without credentials, for error messages. */
  #where(client: Redis): string {
    const { host = '127.0.0.1', port = 6379, path } = client.options;
    return path ?? `${host}:${port}`;
  }
}
