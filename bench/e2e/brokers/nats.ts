/**
 * NATS JetStream end to end: troopy (Sender + NatsTransport + Worker) against a bare client
 * loop (publishes with PubAck, 100 in flight; a durable pull consumer pulling 100 at a time
 * and acking each message: the limit for this broker), both on a file-backed work-queue stream.
 *
 * Standalone: `npx tsx bench/e2e/brokers/nats.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N]`
 * (NATS_URL, default 127.0.0.1:4222).
 */
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type ConsumerMessages, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from '../../../src/brokers/nats/index.js';
import type { EndToEndBroker, Subject } from '../broker.js';
import { runWhenMain } from '../command-line.js';
import type { Payload, RunTarget } from '../protocol.js';
import { troopySubject } from '../troopy-subject.js';

async function withManager(servers: string, use: (jsm: JetStreamManager) => Promise<unknown>): Promise<void> {
  const connection = await connect({ servers });
  try {
    await use(await jetstreamManager(connection));
  } finally {
    await connection.close();
  }
}

/** Deletes the run's stream and, for troopy, its dead-letter stream. */
const deleteStreams = ({ url, key }: RunTarget): Promise<void> =>
  withManager(url, async (jsm) => {
    for (const name of [key, `${key}-dead`]) await jsm.streams.delete(name).catch(() => false);
  });

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (payload: Payload): Uint8Array => encoder.encode(JSON.stringify(payload));
const BARE_CONSUMER = 'bare';

// The bare loop: publishes with PubAck, a batch in flight then wait for all PubAcks; a durable
// pull consumer pulling 100 at a time (the client's consume, which refills as it goes) and
// acking each message.
const bare: Subject = {
  label: 'bare @nats-io/jetstream loop (publish with PubAck, 100 in flight / pull consumer 100 at a time, ack each)',
  // The same kind of stream troopy sets up (file storage, work-queue retention), and a durable
  // pull consumer with explicit acks.
  prepare: ({ url, key }) =>
    withManager(url, async (jsm) => {
      await jsm.streams.add({ name: key, subjects: [key], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
      await jsm.consumers.add(key, { durable_name: BARE_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
    }),
  async producer({ url, key }) {
    const connection = await connect({ servers: url });
    const js = jetstream(connection);
    return {
      async sendBatch(payloads) {
        await Promise.all(payloads.map((payload) => js.publish(key, encode(payload))));
      },
      async sendOne(payload) {
        await js.publish(key, encode(payload));
      },
      close: () => connection.close(),
    };
  },
  async consumer({ url, key, batch }) {
    const connection = await connect({ servers: url });
    const js = jetstream(connection);
    let messages: ConsumerMessages | undefined;
    return {
      async start(onMessage) {
        const consumer = await js.consumers.get(key, BARE_CONSUMER);
        messages = await consumer.consume({ max_messages: batch });
        void (async () => {
          for await (const message of messages) {
            onMessage(JSON.parse(decoder.decode(message.data)) as Payload);
            message.ack();
          }
        })();
      },
      async close() {
        await messages?.close();
        await connection.close();
      },
    };
  },
  cleanup: deleteStreams,
};

const nats: EndToEndBroker = {
  id: 'nats',
  module: import.meta.url,
  name: 'NATS JetStream',
  defaultUrl: () => process.env.NATS_URL ?? '127.0.0.1:4222',
  bare,
  // The Worker's concurrency is the bare consumer's pull size.
  troopy: troopySubject({
    transportName: 'NatsTransport',
    transport: ({ url, key, transportOptions }) => new NatsTransport({ servers: url, stream: key, subject: key, ...transportOptions }),
    cleanup: deleteStreams,
  }),
  serverProcess: 'nats-server',
  report: {
    queue: ' on a file-backed work-queue stream',
    flatOut: ' (100 publishes awaiting their PubAck); the bare consumer pulls 100 at a time, the worker has concurrency 100',
    server: 'nats-server (JetStream, file storage)',
  },
};

export default nats;

runWhenMain(import.meta.url, nats);
