import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type ConsumerMessages } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Command } from '../../../src/command.js';
import { CommandBus } from '../../../src/command-bus.js';
import { MessageRouter } from '../../../src/message-router.js';
import { MessageRegistry } from '../../../src/transport/message-registry.js';
import { Sender } from '../../../src/transport/sender.js';
import { NatsTransport } from '../../../src/transports/nats/index.js';
import { Worker } from '../../../src/worker/worker.js';
import type { ChildSetup, Payload, SubjectId } from './protocol.js';

/** What a consumer calls for each message it handles. */
export type OnMessage = (payload: Payload) => void;

/** The producing half of a subject. */
export interface Producer {
  /** Sends a batch in one call, resolving after JetStream acknowledged all of it. */
  sendBatch(payloads: readonly Payload[]): Promise<void>;
  /** Sends one message on its own, resolving after its PubAck. */
  sendOne(payload: Payload): Promise<void>;
  close(): Promise<void>;
}

/** The consuming half of a subject; handles messages from `start` until `close`. */
export interface Consumer {
  start(onMessage: OnMessage): Promise<void>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (payload: Payload): Uint8Array => encoder.encode(JSON.stringify(payload));
const BARE_CONSUMER = 'bare';

// ---------------------------------------------------------------------------------------------
// The bare loop: publishes with PubAck, a batch in flight then wait for all PubAcks; a durable
// pull consumer pulling 100 at a time (the client's consume, which refills as it goes) and
// acking each message. The limit for this broker.

async function bareProducer({ servers, stream, batch }: ChildSetup): Promise<Producer> {
  const connection = await connect({ servers });
  const js = jetstream(connection);
  return {
    async sendBatch(payloads) {
      for (let index = 0; index < payloads.length; index += batch) {
        await Promise.all(payloads.slice(index, index + batch).map((payload) => js.publish(stream, encode(payload))));
      }
    },
    async sendOne(payload) {
      await js.publish(stream, encode(payload));
    },
    async close() {
      await connection.close();
    },
  };
}

async function bareConsumer({ servers, stream, batch }: ChildSetup): Promise<Consumer> {
  const connection = await connect({ servers });
  const js = jetstream(connection);
  let messages: ConsumerMessages | undefined;
  return {
    async start(onMessage) {
      const consumer = await js.consumers.get(stream, BARE_CONSUMER);
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
}

// ---------------------------------------------------------------------------------------------
// troopy: Sender.sendBatch / Sender.send on a NatsTransport, and a Worker whose concurrency is
// the bare consumer's pull size.

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
registry.register(BenchCommand, { name: 'bench.nats' });

const transportFor = ({ servers, stream }: Pick<ChildSetup, 'servers' | 'stream'>): NatsTransport => new NatsTransport({ servers, stream, subject: stream });

async function troopyProducer(setup: ChildSetup): Promise<Producer> {
  const transport = transportFor(setup);
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

async function troopyConsumer(setup: ChildSetup): Promise<Consumer> {
  const transport = transportFor(setup);
  await transport.setup();
  let worker: Worker | undefined;
  return {
    async start(onMessage) {
      const router = new MessageRouter();
      router.attach(BenchCommand, (command: BenchCommand) => {
        onMessage(command);
        return Promise.resolve();
      });
      worker = new Worker({ transports: [transport], bus: new CommandBus({ router }), registry, concurrency: setup.batch });
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

/**
 * Creates the run's stream and consumer before its processes start: for troopy its own setup;
 * for the bare loop the same kind of stream (file storage, work-queue retention) and a durable
 * pull consumer with explicit acks.
 */
export async function prepare(subject: SubjectId, servers: string, stream: string): Promise<void> {
  if (subject === 'troopy') {
    const transport = transportFor({ servers, stream });
    await transport.setup();
    await transport.close();
    return;
  }
  const connection = await connect({ servers });
  try {
    const jsm = await jetstreamManager(connection);
    await jsm.streams.add({ name: stream, subjects: [stream], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
    await jsm.consumers.add(stream, { durable_name: BARE_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
  } finally {
    await connection.close();
  }
}

/** Deletes the run's stream and, for troopy, its dead-letter stream. */
export async function cleanup(servers: string, stream: string): Promise<void> {
  const connection = await connect({ servers });
  try {
    const jsm = await jetstreamManager(connection);
    for (const name of [stream, `${stream}-dead`]) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await connection.close();
  }
}
