import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/brokers/redis/index.js';
import type { BrokerProfile, PrivateBroker, QueueAddress, RawMessage } from '../broker-profile.js';
import { sparePort } from '../../support/spare-port.js';

/** A short-lived client for one admin job; always disconnected afterwards. */
async function withClient<T>(connection: string, job: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(connection, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // connect() rejects with the same error; without a listener ioredis would also print it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await job(client);
  } finally {
    client.disconnect();
  }
}


async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const answers = (connection: string): Promise<boolean> =>
  withClient(connection, async (client) => (await client.ping()) === 'PONG').catch(() => false);

/** A redis-server child process with append-only persistence (fsync on every write) in `directory`. */
class PrivateRedis implements PrivateBroker {
  readonly connection: string;
  readonly #port: number;
  readonly #directory: string;
  #process: ChildProcess | undefined;
  #disposed = false;
  readonly #killOnExit = (): void => {
    this.#process?.kill('SIGKILL');
  };

  constructor(port: number, directory: string) {
    this.#port = port;
    this.#directory = directory;
    this.connection = `redis://127.0.0.1:${port}`;
    process.once('exit', this.#killOnExit);
  }

  async start(): Promise<void> {
    if (this.#process !== undefined) throw new Error(`the private Redis on port ${this.#port} is already running`);
    const args = ['--port', String(this.#port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--dir', this.#directory];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#process = child;
    child.once('exit', () => {
      if (this.#process === child) this.#process = undefined;
    });
    await waitUntil(`redis-server on port ${this.#port} to answer`, 10_000, async () => {
      if (this.#process !== child) throw new Error(`redis-server on port ${this.#port} exited at start (is redis-server installed?)`);
      return answers(this.connection);
    });
  }

  async crash(): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.crash();
    process.off('exit', this.#killOnExit);
    rmSync(this.#directory, { recursive: true, force: true });
  }
}

/**
 * The Redis Streams profile: a queue is a stream key (with the transport's derived keys
 * beside it), raw messages are XADDed in the transport's entry layout (one `m` field: the id,
 * the headers as JSON and the body bytes, separated by line breaks), and the restart scenario gets a private redis-server with
 * `--appendonly yes --appendfsync always`.
 */
export const profile: BrokerProfile = {
  name: 'redis',
  moduleUrl: import.meta.url,
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',

  async probe(connection) {
    if (!(await answers(connection))) throw new Error(`Redis at ${connection} does not answer PING`);
  },

  createTransport({ connection, queue }: QueueAddress) {
    return new RedisTransport({ url: connection, stream: queue, blockMs: 200, maxReconnectDelayMs: 500 });
  },

  async inject({ connection, queue }: QueueAddress, messages: readonly RawMessage[]) {
    await withClient(connection, async (client) => {
      const pipeline = client.pipeline();
      for (const message of messages) {
        pipeline.xadd(queue, '*', 'm', Buffer.concat([Buffer.from(`${message.id}\n${JSON.stringify(message.headers)}\n`), Buffer.from(message.body)]));
      }
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error !== null) throw error;
    });
  },

  async cleanup({ connection, queue }: QueueAddress) {
    await withClient(connection, async (client) => {
      // The queue names are unique per run, so every key that starts with one belongs to it.
      const keys = await client.keys(`${queue}*`);
      if (keys.length > 0) await client.del(...keys);
    });
  },

  async startPrivateBroker(directory: string) {
    const broker = new PrivateRedis(await sparePort(), directory);
    try {
      await broker.start();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  },
};
