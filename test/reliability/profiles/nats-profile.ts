import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { NatsTransport } from '../../../src/brokers/nats/index.js';
import { wireHeaders } from '../../../src/brokers/nats/wire.js';
import type { BrokerProfile, QueueAddress, RawMessage } from '../broker-profile.js';
import { spawnPrivateBroker } from '../private-broker.js';
import { sparePort } from '../../support/spare-port.js';

/** A short-lived connection for one admin job (no reconnection); always closed afterwards. */
async function withClient<T>(connection: string, job: (client: NatsConnection) => Promise<T>): Promise<T> {
  const client = await connect({ servers: connection, timeout: 2_000, reconnect: false });
  try {
    return await job(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Whether JetStream answers at `connection` (the server is up and has loaded its streams). */
const answers = (connection: string): Promise<boolean> =>
  withClient(connection, async (client) => {
    await (await jetstreamManager(client, { timeout: 1_000 })).getAccountInfo();
    return true;
  }).catch(() => false);

/**
 * The NATS JetStream profile: a queue is a stream of the queue's name (subject the same), with
 * the dead-letter stream `${queue}-dead` beside it. Raw messages are published in the transport's
 * layout: the body as it is, the id and headers in the `Troopy-Message` header. The restart
 * scenario gets a private `nats-server -js` with file storage on a spare port.
 */
export const profile: BrokerProfile = {
  name: 'nats',
  moduleUrl: import.meta.url,
  connection: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',

  async probe(connection) {
    if (!(await answers(connection))) throw new Error(`NATS JetStream at ${connection} does not answer`);
  },

  createTransport({ connection, queue }: QueueAddress, { leaseMs }: { readonly leaseMs?: number | undefined } = {}) {
    return new NatsTransport({ servers: connection, stream: queue, subject: queue, leaseMs, timeoutMs: 2_000, connectOptions: { reconnectTimeWait: 250 } });
  },

  async inject({ connection, queue }: QueueAddress, messages: readonly RawMessage[]) {
    await withClient(connection, async (client) => {
      const js = jetstream(client);
      for (const message of messages) {
        const headers = natsHeaders();
        for (const [key, value] of Object.entries(wireHeaders(message))) headers.set(key, value);
        await js.publish(queue, message.body, { headers });
      }
    });
  },

  async cleanup({ connection, queue }: QueueAddress) {
    await withClient(connection, async (client) => {
      const jsm = await jetstreamManager(client);
      for (const stream of [queue, `${queue}-dead`]) {
        await jsm.streams.delete(stream).catch((error: unknown) => {
          if (!/not found/i.test(String(error))) throw error;
        });
      }
    });
  },

  async startPrivateBroker(directory: string) {
    const port = await sparePort();
    return spawnPrivateBroker({
      name: 'nats-server',
      connection: `nats://127.0.0.1:${port}`,
      directory,
      command: 'nats-server',
      args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', directory],
      startTimeoutMs: 15_000,
      answers,
    });
  },
};
