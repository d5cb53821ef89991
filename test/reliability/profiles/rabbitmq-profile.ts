import * as amqplib from 'amqplib';
import { delayBuckets } from '../../../src/brokers/rabbitmq/delay-buckets.js';
import { RabbitMqTransport } from '../../../src/brokers/rabbitmq/index.js';
import type { BrokerProfile, QueueAddress, RawMessage } from '../broker-profile.js';
import { sparePort } from '../../support/spare-port.js';
import { amqpAnswers, PrivateRabbitMq } from './private-rabbitmq.js';

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
 * RabbitMQ node of its own on spare ports, SIGKILLed and booted again on the same storage.
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
    const broker = new PrivateRabbitMq(await sparePort(), await sparePort(), directory);
    try {
      await broker.start();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  },
};
