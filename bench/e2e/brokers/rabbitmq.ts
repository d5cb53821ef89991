/**
 * RabbitMQ end to end: troopy (Sender + RabbitMqTransport + Worker) against a bare amqplib loop
 * (persistent publishes on a confirm channel, 100 then wait for the confirms; a consumer with
 * prefetch 100 acking each message: the limit for this broker), both on a quorum queue.
 *
 * Standalone: `npx tsx bench/e2e/brokers/rabbitmq.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N]`
 * (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672).
 */
import * as amqplib from 'amqplib';
import { delayBuckets } from '../../../src/brokers/rabbitmq/delay-buckets.js';
import { RabbitMqTransport } from '../../../src/brokers/rabbitmq/index.js';
import type { EndToEndBroker, Subject } from '../broker.js';
import { runWhenMain } from '../command-line.js';
import type { Payload, RunTarget } from '../protocol.js';
import { troopySubject } from '../troopy-subject.js';

async function withChannel(url: string, use: (channel: amqplib.Channel) => Promise<unknown>): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    await use(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

/** Deletes the run's queue and, for troopy, its dead-letter and delay queues. */
const deleteQueues = ({ url, key }: RunTarget): Promise<void> =>
  withChannel(url, (channel) =>
    Promise.all([key, `${key}.dead`, ...delayBuckets().map((bucket) => `${key}.delay.${bucket}`)].map((name) => channel.deleteQueue(name))),
  );

const encode = (payload: Payload): Buffer => Buffer.from(JSON.stringify(payload));

// The bare loop: persistent publishes on a confirm channel, a batch then waitForConfirms; a
// consumer with prefetch = batch that acks each message.
const bare: Subject = {
  label: 'bare amqplib loop (confirm channel, 100 per waitForConfirms / consume prefetch 100, ack each)',
  // The same quorum queue troopy declares.
  prepare: ({ url, key }) => withChannel(url, (channel) => channel.assertQueue(key, { durable: true, arguments: { 'x-queue-type': 'quorum' } })),
  async producer({ url, key }) {
    const connection = await amqplib.connect(url);
    const channel = await connection.createConfirmChannel();
    return {
      async sendBatch(payloads) {
        for (const payload of payloads) channel.publish('', key, encode(payload), { persistent: true });
        await channel.waitForConfirms();
      },
      sendOne(payload) {
        return new Promise((resolve, reject) => {
          channel.publish('', key, encode(payload), { persistent: true }, (error: unknown) => {
            if (error === null || error === undefined) resolve();
            else reject(error instanceof Error ? error : new Error('the broker did not confirm the message'));
          });
        });
      },
      close: () => connection.close(),
    };
  },
  async consumer({ url, key, batch }) {
    const connection = await amqplib.connect(url);
    const channel = await connection.createChannel();
    await channel.prefetch(batch);
    return {
      async start(onMessage) {
        await channel.consume(key, (message) => {
          if (message === null) return;
          onMessage(JSON.parse(message.content.toString()) as Payload);
          channel.ack(message);
        });
      },
      close: () => connection.close(),
    };
  },
  cleanup: deleteQueues,
};

const rabbitmq: EndToEndBroker = {
  id: 'rabbitmq',
  module: import.meta.url,
  name: 'RabbitMQ',
  defaultUrl: () => process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  bare,
  // The Worker's concurrency is the bare consumer's prefetch (the transport's prefetch follows it).
  troopy: troopySubject({
    transportName: 'RabbitMqTransport',
    transport: ({ url, key, transportOptions }) => new RabbitMqTransport({ url, queue: key, ...transportOptions }),
    cleanup: deleteQueues,
  }),
  serverProcess: 'beam.smp',
  report: {
    queue: ' on a quorum queue',
    flatOut: '; the bare consumer has prefetch 100, the worker concurrency 100',
    server: 'RabbitMQ (quorum queue, publisher confirms)',
  },
};

export default rabbitmq;

runWhenMain(import.meta.url, rabbitmq);
