import * as amqplib from 'amqplib';
import { Command } from '../../../src/command.js';
import { CommandBus } from '../../../src/command-bus.js';
import { MessageRouter } from '../../../src/message-router.js';
import { MessageRegistry } from '../../../src/transport/message-registry.js';
import { Sender } from '../../../src/transport/sender.js';
import { delayBuckets } from '../../../src/transports/rabbitmq/delay-buckets.js';
import { RabbitMqTransport } from '../../../src/transports/rabbitmq/index.js';
import { Worker } from '../../../src/worker/worker.js';
import type { ChildSetup, Payload, SubjectId } from './protocol.js';

/** What a consumer calls for each message it handles. */
export type OnMessage = (payload: Payload) => void;

/** The producing half of a subject. */
export interface Producer {
  /** Sends a batch in one call, resolving after the broker confirmed all of it. */
  sendBatch(payloads: readonly Payload[]): Promise<void>;
  /** Sends one message on its own, resolving after its confirm. */
  sendOne(payload: Payload): Promise<void>;
  close(): Promise<void>;
}

/** The consuming half of a subject; handles messages from `start` until `close`. */
export interface Consumer {
  start(onMessage: OnMessage): Promise<void>;
  close(): Promise<void>;
}

const encode = (payload: Payload): Buffer => Buffer.from(JSON.stringify(payload));

// ---------------------------------------------------------------------------------------------
// The bare loop: persistent publishes on a confirm channel, a batch then waitForConfirms; a
// consumer with prefetch = batch that acks each message. The limit for this broker.

async function bareProducer({ url, queue }: ChildSetup): Promise<Producer> {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  const publish = (payload: Payload): void => {
    channel.publish('', queue, encode(payload), { persistent: true });
  };
  return {
    async sendBatch(payloads) {
      for (const payload of payloads) publish(payload);
      await channel.waitForConfirms();
    },
    sendOne(payload) {
      return new Promise((resolve, reject) => {
        channel.publish('', queue, encode(payload), { persistent: true }, (error: unknown) => {
          if (error === null || error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error("the broker did not confirm the message"));
        });
      });
    },
    async close() {
      await connection.close();
    },
  };
}

async function bareConsumer({ url, queue, batch }: ChildSetup): Promise<Consumer> {
  const connection = await amqplib.connect(url);
  const channel = await connection.createChannel();
  await channel.prefetch(batch);
  return {
    async start(onMessage) {
      await channel.consume(queue, (message) => {
        if (message === null) return;
        onMessage(JSON.parse(message.content.toString()) as Payload);
        channel.ack(message);
      });
    },
    async close() {
      await connection.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// troopy: Sender.sendBatch / Sender.send on a RabbitMqTransport, and a Worker whose concurrency
// is the bare consumer's prefetch (the transport's prefetch follows it).

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
registry.register(BenchCommand, { name: 'bench.rabbitmq' });

async function troopyProducer({ url, queue }: ChildSetup): Promise<Producer> {
  const transport = new RabbitMqTransport({ url, queue });
  await transport.setup();
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

async function troopyConsumer({ url, queue, batch }: ChildSetup): Promise<Consumer> {
  const transport = new RabbitMqTransport({ url, queue });
  await transport.setup();
  let worker: Worker | undefined;
  return {
    async start(onMessage) {
      const router = new MessageRouter();
      router.attach(BenchCommand, (command: BenchCommand) => {
        onMessage(command);
        return Promise.resolve();
      });
      worker = new Worker({ transports: [transport], bus: new CommandBus({ router }), registry, concurrency: batch });
      worker.start();
    },
    async close() {
      await worker?.stop();
      await transport.close();
    },
  };
}

/** The producer and consumer factories of each subject. */
export const subjects: Readonly<Record<SubjectId, { readonly producer: (setup: ChildSetup) => Promise<Producer>; readonly consumer: (setup: ChildSetup) => Promise<Consumer> }>> = {
  bare: { producer: bareProducer, consumer: bareConsumer },
  troopy: { producer: troopyProducer, consumer: troopyConsumer },
};

/** Declares the run's quorum queue before its processes start (the same declaration for both subjects). */
export async function prepare(subject: SubjectId, url: string, queue: string): Promise<void> {
  if (subject === 'troopy') {
    const transport = new RabbitMqTransport({ url, queue });
    await transport.setup();
    await transport.close();
    return;
  }
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  } finally {
    await connection.close();
  }
}

/** Deletes the run's queue and, for troopy, its dead-letter and delay queues. */
export async function cleanup(url: string, queue: string): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    const names = [queue, `${queue}.dead`, ...delayBuckets().map((bucket) => `${queue}.delay.${bucket}`)];
    await Promise.all(names.map((name) => channel.deleteQueue(name)));
  } finally {
    await connection.close();
  }
}
