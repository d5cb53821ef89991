import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/brokers/redis/index.js';
import type { BrokerProfile, QueueAddress, RawMessage } from '../broker-profile.js';
import { spawnPrivateBroker } from '../private-broker.js';
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

/** Whether a Redis at `connection` answers PING. */
const answers = (connection: string): Promise<boolean> => withClient(connection, async (client) => (await client.ping()) === 'PONG').catch(() => false);

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
    const port = await sparePort();
    return spawnPrivateBroker({
      name: 'redis-server',
      connection: `redis://127.0.0.1:${port}`,
      directory,
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--dir', directory],
      startTimeoutMs: 10_000,
      answers,
    });
  },
};
