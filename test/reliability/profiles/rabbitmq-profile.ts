import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as amqplib from 'amqplib';
import { delayBuckets } from '../../../src/brokers/rabbitmq/delay-buckets.js';
import { RabbitMqTransport } from '../../../src/brokers/rabbitmq/index.js';
import type { BrokerProfile, QueueAddress, RawMessage } from '../broker-profile.js';
import { spawnPrivateBroker } from '../private-broker.js';
import { sparePort } from '../../support/spare-port.js';

/** Debian and Ubuntu keep the real start script here; `/usr/sbin/rabbitmq-server` would switch to the rabbitmq user. */
const SERVER_SCRIPT = existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') ? '/usr/lib/rabbitmq/bin/rabbitmq-server' : 'rabbitmq-server';

/** Whether a RabbitMQ at `connection` completes an AMQP handshake. */
async function amqpAnswers(connection: string): Promise<boolean> {
  try {
    const model = await amqplib.connect(connection, { timeout: 1_000 });
    await model.close();
    return true;
  } catch {
    return false;
  }
}

/** A short-lived confirm channel for one admin job; its connection is always closed afterwards. */
async function withChannel<T>(connection: string, job: (channel: amqplib.ConfirmChannel) => Promise<T>): Promise<T> {
  const model = await amqplib.connect(connection, { timeout: 2_000 });
  model.on('error', () => undefined);
  try {
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    return await job(channel);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/**
 * The RabbitMQ profile: a queue is a quorum queue (with `.dead` and `.delay.<bucket>` queues
 * beside it), raw messages are published straight to it with a publisher confirm (`message-id`
 * property, headers as AMQP string headers, the body as it is), and the restart scenario gets a
 * RabbitMQ node of its own on spare ports (AMQP and Erlang distribution), with its node name,
 * Mnesia and quorum-queue storage, log and Erlang cookie all in the private directory. Killed
 * without a clean shutdown, its quorum queues recover from their write-ahead log; a start on
 * the same storage takes 5 to 8 s.
 */
export const profile: BrokerProfile = {
  name: 'rabbitmq',
  moduleUrl: import.meta.url,
  connection: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',

  async probe(connection) {
    if (!(await amqpAnswers(connection))) throw new Error(`RabbitMQ at ${connection} does not complete an AMQP handshake`);
  },

  createTransport({ connection, queue }: QueueAddress) {
    return new RabbitMqTransport({ url: connection, queue, maxReconnectDelayMs: 500 });
  },

  async inject({ connection, queue }: QueueAddress, messages: readonly RawMessage[]) {
    await withChannel(connection, async (channel) => {
      for (const { id, headers, body } of messages) {
        channel.publish('', queue, Buffer.from(body), { messageId: id, headers, persistent: true, mandatory: true });
      }
      await channel.waitForConfirms();
    });
  },

  async cleanup({ connection, queue }: QueueAddress) {
    await withChannel(connection, async (channel) => {
      const names = [queue, `${queue}.dead`, ...delayBuckets().map((bucket) => `${queue}.delay.${bucket}`)];
      await Promise.all(names.map((name) => channel.deleteQueue(name)));
    });
  },

  async startPrivateBroker(directory: string) {
    const [port, distributionPort] = [await sparePort(), await sparePort()];
    return spawnPrivateBroker({
      name: 'rabbitmq-server',
      connection: `amqp://guest:guest@127.0.0.1:${port}`,
      directory,
      command: SERVER_SCRIPT,
      args: [],
      env: {
        ...process.env,
        HOME: directory,
        RABBITMQ_NODENAME: `troopy-reliability-${port}@localhost`,
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(distributionPort),
        RABBITMQ_MNESIA_BASE: join(directory, 'mnesia'),
        RABBITMQ_LOG_BASE: join(directory, 'log'),
        RABBITMQ_CONFIG_FILE: join(directory, 'rabbitmq'),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(directory, 'advanced.config'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(directory, 'enabled_plugins'),
      },
      startTimeoutMs: 60_000,
      async prepare() {
        writeFileSync(join(directory, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
        writeFileSync(join(directory, 'enabled_plugins'), '[].\n');
      },
      answers: amqpAnswers,
    });
  },
};
