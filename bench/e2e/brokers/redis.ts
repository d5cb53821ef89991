/**
 * Redis Streams end to end: troopy (Sender + RedisTransport + Worker) against a bare ioredis
 * loop (XADD pipelined / XREADGROUP COUNT 100 / XACK: the limit for this broker) and BullMQ
 * (Queue.addBulk + Worker) on the same Redis.
 *
 * Standalone: `npx tsx bench/e2e/brokers/redis.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=bullmq,troopy] [--transport-options=JSON] [--warm-up=N]`
 * (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { Queue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/brokers/redis/index.js';
import type { EndToEndBroker, PeerSubject, Subject } from '../broker.js';
import { runWhenMain } from '../command-line.js';
import type { Payload } from '../protocol.js';
import { troopySubject } from '../troopy-subject.js';

async function deleteKeys(url: string, ...keys: string[]): Promise<void> {
  const redis = new Redis(url);
  await redis.del(...keys);
  await redis.quit();
}

// The bare loop: XADD pipelined; XREADGROUP COUNT n BLOCK; one XACK per batch.
const GROUP = 'bench';

const bare: Subject = {
  label: 'bare ioredis loop (XADD pipelined / XREADGROUP COUNT 100 / XACK)',
  async producer({ url, key }) {
    const redis = new Redis(url);
    return {
      async sendBatch(payloads) {
        const pipeline = redis.pipeline();
        for (const item of payloads) pipeline.xadd(key, '*', 'data', JSON.stringify(item));
        await pipeline.exec();
      },
      async sendOne(item) {
        await redis.xadd(key, '*', 'data', JSON.stringify(item));
      },
      async close() {
        await redis.quit();
      },
    };
  },
  async consumer({ url, key, batch }) {
    const redis = new Redis(url);
    let running = true;
    let loop: Promise<void> = Promise.resolve();
    return {
      async start(onMessage) {
        await redis.xgroup('CREATE', key, GROUP, '0', 'MKSTREAM').catch(() => undefined);
        loop = (async () => {
          while (running) {
            const reply = (await redis.xreadgroup('GROUP', GROUP, 'consumer', 'COUNT', batch, 'BLOCK', 200, 'STREAMS', key, '>')) as
              [string, [string, string[]][]][] | null;
            const entries = reply?.[0]?.[1] ?? [];
            if (entries.length === 0) continue;
            for (const [, fields] of entries) onMessage(JSON.parse(fields[1]!) as Payload);
            await redis.xack(key, GROUP, ...entries.map(([id]) => id));
          }
        })();
      },
      async close() {
        running = false;
        await loop;
        await redis.quit();
      },
    };
  },
  cleanup: ({ url, key }) => deleteKeys(url, key),
};

// BullMQ on the same Redis: Queue.addBulk / Queue.add, and a Worker with the same concurrency.
function connectionOf(url: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}

const bullmq: PeerSubject = {
  id: 'bullmq',
  name: 'BullMQ',
  label: 'BullMQ (Queue.addBulk + Worker, concurrency 100)',
  async producer({ url, key }) {
    const queue = new Queue(key, { connection: connectionOf(url), defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
    return {
      async sendBatch(payloads) {
        await queue.addBulk(payloads.map((data) => ({ name: 'bench', data })));
      },
      async sendOne(data) {
        await queue.add('bench', data);
      },
      close: () => queue.close(),
    };
  },
  async consumer({ url, key, batch }) {
    let worker: BullWorker | undefined;
    return {
      async start(onMessage) {
        worker = new BullWorker(key, async (job) => onMessage(job.data as Payload), { connection: connectionOf(url), concurrency: batch });
        await worker.waitUntilReady();
      },
      async close() {
        await worker?.close();
      },
    };
  },
  async cleanup({ url, key }) {
    const queue = new Queue(key, { connection: connectionOf(url) });
    await queue.obliterate({ force: true });
    await queue.close();
  },
};

const redis: EndToEndBroker = {
  id: 'redis',
  module: import.meta.url,
  name: 'Redis',
  defaultUrl: () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  bare,
  peer: bullmq,
  troopy: troopySubject({
    transportName: 'RedisTransport',
    transport: ({ url, key, transportOptions }) => new RedisTransport({ url, stream: key, ...transportOptions }),
    cleanup: ({ url, key }) => deleteKeys(url, key, `${key}:dead`, `${key}:dead:index`, `${key}:delayed`),
  }),
  // A consumer counts a message when its handler runs; let it finish the flat-out phase's acks
  // and bookkeeping before the latency phase.
  settleMs: 2_000,
  serverProcess: 'redis-server',
  report: {
    flatOut: '; consumers take up to 100 at once',
    server: 'Broker',
  },
};

export default redis;

runWhenMain(import.meta.url, redis);
