import { Queue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { Command } from '../../src/command.js';
import { CommandBus } from '../../src/command-bus.js';
import type { DispatchContext } from '../../src/context.js';
import { MessageRouter } from '../../src/message-router.js';
import { MessageRegistry } from '../../src/transport/message-registry.js';
import { Sender } from '../../src/transport/sender.js';
import { RedisTransport } from '../../src/transports/redis/index.js';
import { Worker } from '../../src/worker/worker.js';
import { PAD, type ChildSetup, type Payload, type SubjectId } from './protocol.js';

/** What a consumer calls for each message it handles. */
export type OnMessage = (payload: Payload) => void;

/** The producing half of a subject. */
export interface Producer {
  /** Sends `count` messages flat out, `batch` per call, one call in flight (so every subject gets the same pipelining). */
  sendBatch(payloads: readonly Payload[]): Promise<void>;
  /** Sends one message on its own. */
  sendOne(payload: Payload): Promise<void>;
  close(): Promise<void>;
}

/** The consuming half of a subject; handles messages from `start` until `close`. */
export interface Consumer {
  start(onMessage: OnMessage): Promise<void>;
  close(): Promise<void>;
}

export function payload(seq: number, sentAt: number): Payload {
  return { seq, sentAt, pad: PAD };
}

// ---------------------------------------------------------------------------------------------
// The bare loop: XADD pipelined; XREADGROUP COUNT n BLOCK; one XACK per batch. The limit.

const GROUP = 'bench';

function bareProducer({ url, key }: ChildSetup): Producer {
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
}

function bareConsumer({ url, key, batch }: ChildSetup): Consumer {
  const redis = new Redis(url);
  let running = true;
  let loop: Promise<void> = Promise.resolve();
  return {
    async start(onMessage) {
      await redis.xgroup('CREATE', key, GROUP, '0', 'MKSTREAM').catch(() => undefined);
      loop = (async () => {
        while (running) {
          const reply = (await redis.xreadgroup('GROUP', GROUP, 'consumer', 'COUNT', batch, 'BLOCK', 200, 'STREAMS', key, '>')) as [string, [string, string[]][]][] | null;
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
      await redis.del(key);
      await redis.quit();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// BullMQ on the same Redis: Queue.addBulk / Queue.add, and a Worker with the same concurrency.

function connectionOf(url: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}

function bullProducer({ url, key }: ChildSetup): Producer {
  const queue = new Queue(key, { connection: connectionOf(url), defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  return {
    async sendBatch(payloads) {
      await queue.addBulk(payloads.map((data) => ({ name: 'bench', data })));
    },
    async sendOne(data) {
      await queue.add('bench', data);
    },
    async close() {
      await queue.close();
    },
  };
}

function bullConsumer({ url, key, batch }: ChildSetup): Consumer {
  let worker: BullWorker | undefined;
  return {
    async start(onMessage) {
      worker = new BullWorker(
        key,
        async (job) => {
          onMessage(job.data as Payload);
        },
        { connection: connectionOf(url), concurrency: batch },
      );
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close();
      const queue = new Queue(key, { connection: connectionOf(url) });
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// troopy: Sender.sendBatch / Sender.send on a RedisTransport, and a Worker with the same concurrency.

class BenchCommand extends Command<Promise<void>> {
  constructor(
    readonly seq: number,
    readonly sentAt: number,
    readonly pad: string,
  ) {
    super();
  }
}

const registry = new MessageRegistry();
registry.register(BenchCommand, { name: 'bench.e2e' });

function troopyProducer({ url, key }: ChildSetup): Producer {
  const transport = new RedisTransport({ url, stream: key });
  const sender = new Sender({ routes: [[BenchCommand, transport]], registry });
  return {
    async sendBatch(payloads) {
      await sender.sendBatch(payloads.map(({ seq, sentAt, pad }) => new BenchCommand(seq, sentAt, pad)));
    },
    async sendOne({ seq, sentAt, pad }) {
      await sender.send(new BenchCommand(seq, sentAt, pad));
    },
    async close() {
      await transport.close();
    },
  };
}

function troopyConsumer({ url, key, batch }: ChildSetup): Consumer {
  const transport = new RedisTransport({ url, stream: key });
  let worker: Worker | undefined;
  return {
    async start(onMessage) {
      await transport.setup();
      const router = new MessageRouter();
      router.attach(BenchCommand, (command: BenchCommand, _context?: DispatchContext) => {
        onMessage(command);
        return Promise.resolve();
      });
      worker = new Worker({ transports: [transport], bus: new CommandBus({ router }), registry, concurrency: batch });
      worker.start();
    },
    async close() {
      await worker?.stop();
      await transport.close();
      const redis = new Redis(url);
      await redis.del(key, `${key}:dead`, `${key}:dead:index`, `${key}:delayed`);
      await redis.quit();
    },
  };
}

/** The producer and consumer factories of each subject. */
export const subjects: Readonly<Record<SubjectId, { readonly producer: (setup: ChildSetup) => Producer; readonly consumer: (setup: ChildSetup) => Consumer }>> = {
  bare: { producer: bareProducer, consumer: bareConsumer },
  bullmq: { producer: bullProducer, consumer: bullConsumer },
  troopy: { producer: troopyProducer, consumer: troopyConsumer },
};
