import * as amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/services.js';
import { Command } from '../../command.js';
import { CommandBus } from '../../command-bus.js';
import { MessageRouter } from '../../message-router.js';
import type { ForeignMessage } from '../../testing/contract-kit.js';
import { transportContract } from '../../testing/transport-contract.js';
import { encodeMessage } from '../../envelope/envelope.js';
import { MessageRegistry } from '../../envelope/message-registry.js';
import { Worker } from '../../worker/worker.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { Transport } from '../../transport/transport.js';
import { delayBucket, delayBuckets } from './delay-buckets.js';
import { RabbitMqLeaseLimitError, RabbitMqTopologyError, RabbitMqTransport, type AmqpConnection, type RabbitMqTransportOptions } from './index.js';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const rabbitUp = await requireService('RabbitMQ', url);
const admin: AmqpConnection | undefined = rabbitUp ? await amqplib.connect(url) : undefined;
let queues = 0;
const uniqueQueue = (): string => `troopy-test.${process.pid}.${Date.now().toString(36)}.${queues++}`;
const created = new Map<Transport, string>();

function transport(options: RabbitMqTransportOptions = {}): RabbitMqTransport {
  const queue = options.queue ?? uniqueQueue();
  const made = new RabbitMqTransport({ ...(options.connection === undefined ? { url } : {}), ...options, queue });
  created.set(made, queue);
  return made;
}

/** Deletes the queue, its dead letters and every delay queue it may have made. */
async function deleteQueues(queue: string): Promise<void> {
  const channel = await admin!.createChannel();
  try {
    const names = [queue, `${queue}.dead`, ...delayBuckets().map((bucket) => `${queue}.delay.${bucket}`)];
    await Promise.all(names.map((name) => channel.deleteQueue(name)));
  } finally {
    await channel.close();
  }
}

async function cleanup(made: Transport): Promise<void> {
  const queue = created.get(made);
  if (queue !== undefined) await deleteQueues(queue);
}

/** The number of ready messages in a queue, as the broker counts them. */
async function ready(queue: string): Promise<number> {
  const channel = await admin!.createChannel();
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await channel.close();
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Breaks a connection's socket as a network failure would. */
function cut(connection: AmqpConnection): void {
  (connection as unknown as { connection: { stream: { destroy(error: Error): void } } }).connection.stream.destroy(new Error('simulated network failure'));
}

const message = (id: string) => ({ id, headers: { 'message-name': 'test' }, body: new Uint8Array([1, 2, 3]) });

afterAll(async () => {
  await admin?.close();
});

/** What another producer may publish to the queue, with what the README says the transport delivers for each. */
async function writeForeignMessages(made: Transport): Promise<ForeignMessage[]> {
  const queue = created.get(made)!;
  const channel = await admin!.createConfirmChannel();
  try {
    channel.sendToQueue(queue, Buffer.from([0xff, 0, 1]), { persistent: true });
    channel.sendToQueue(queue, Buffer.from('with headers'), { persistent: true, headers: { k: 'v', n: 5, yes: true } });
    await channel.waitForConfirms();
  } finally {
    await channel.close();
  }
  return [
    { shape: 'a plain publish without headers', headers: {}, body: new Uint8Array([0xff, 0, 1]) },
    {
      shape: 'a plain publish with a header table of a string, a number and a boolean',
      headers: { k: 'v', n: '5', yes: 'true' },
      body: new TextEncoder().encode('with headers'),
    },
  ];
}

describe.skipIf(!rabbitUp)('RabbitMqTransport on a real RabbitMQ', () => {
  transportContract({ name: 'RabbitMqTransport', create: () => Promise.resolve(transport()), cleanup, describe, it, writeForeign: writeForeignMessages });

  it('counts deliveries with the quorum queue x-delivery-count, after a release and after an expired lease', async () => {
    const made = transport();
    try {
      await made.setup();
      await made.send([message('counted')]);
      const [first] = await made.receive({ max: 1, leaseMs: 10_000, waitMs: 2_000 });
      expect(first?.deliveryCount).toBe(1);
      await made.release(first!);
      const [second] = await made.receive({ max: 1, leaseMs: 200, waitMs: 2_000 });
      expect(second?.deliveryCount).toBe(2);
      const [third] = await made.receive({ max: 1, leaseMs: 200, waitMs: 2_000 });
      expect(third).toMatchObject({ id: 'counted', deliveryCount: 3 });
      expect(third?.receipt).not.toBe(second?.receipt);
      // The expired delivery's tag is dead: settling it does nothing, and does not break the channel.
      await made.ack(second!);
      await made.ack(third!);
      expect(await made.receive({ max: 1, leaseMs: 200, waitMs: 300 })).toEqual([]);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('counts one delivery per message released at a graceful shutdown: the other worker gets each with deliveryCount 2', async () => {
    class Slow extends Command<Promise<void>> {
      constructor(readonly label: string) {
        super();
      }
    }
    const registry = new MessageRegistry();
    registry.register(Slow, { name: 'test.slow' });
    let stoppingStarted = 0;
    const stoppingRouter = new MessageRouter();
    // The stopping worker's handlers run until their signal aborts at the shutdown timeout.
    stoppingRouter.attach(Slow, async (_command, context) => {
      stoppingStarted++;
      await new Promise((resolve) => context?.signal?.addEventListener('abort', resolve));
    });
    const otherRouter = new MessageRouter();
    otherRouter.attach(Slow, async () => undefined);
    const queue = uniqueQueue();
    const [stoppingTransport, otherTransport] = [transport({ queue }), transport({ queue })];
    const common = { registry, concurrency: 4, receiveWaitMs: 200, leaseMs: 10_000 };
    const stopping = new Worker({ ...common, transports: [stoppingTransport], bus: new CommandBus({ router: stoppingRouter }), shutdownTimeoutMs: 300 });
    const other = new Worker({ ...common, transports: [otherTransport], bus: new CommandBus({ router: otherRouter }) });
    const counts: number[] = [];
    other.on('received', ({ deliveryCount }) => counts.push(deliveryCount));
    try {
      await stoppingTransport.setup();
      await stoppingTransport.send(['a', 'b', 'c', 'd'].map((label) => encodeMessage(new Slow(label), { registry })));
      stopping.start();
      await until('the stopping worker to run all four', () => stoppingStarted === 4);
      other.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await stopping.stop();
      await stoppingTransport.close();
      await until('the other worker to get all four', () => counts.length >= 4);
      // A late extra count would come with the stopping worker's close; give it time to show.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(counts).toEqual([2, 2, 2, 2]);
    } finally {
      await Promise.all([stopping.stop(), other.stop()]);
      await Promise.all([stoppingTransport.close(), otherTransport.close()]);
      await deleteQueues(queue);
    }
  });

  it('rejects a send promptly with TransportUnavailableError when the broker is unreachable', async () => {
    const made = new RabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:5699', queue: uniqueQueue() });
    try {
      const started = Date.now();
      const sending = made.send([message('nowhere')]);
      await expect(sending).rejects.toBeInstanceOf(TransportUnavailableError);
      await expect(sending).rejects.toThrow(/127\.0\.0\.1:5699/);
      expect(Date.now() - started).toBeLessThan(1_500);
      await expect(made.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 })).rejects.toBeInstanceOf(TransportUnavailableError);
      expect(made.health()).toBe('reconnecting');
    } finally {
      await made.close();
    }
    expect(made.health()).toBe('failed');
  });

  it('declares delay queues once per bucket, idempotently, expiring into the main queue', async () => {
    const queue = uniqueQueue();
    const [one, two] = [transport({ queue }), transport({ queue })];
    try {
      await Promise.all([one.setup(), two.setup()]);
      const soon = Date.now() + 700;
      await Promise.all([one.send([{ ...message('a'), notBefore: soon }]), two.send([{ ...message('b'), notBefore: soon }])]);
      await one.send([{ ...message('c'), notBefore: soon + 10 }]);
      const bucket = delayBucket(700);
      const channel = await admin!.createChannel();
      const declared = await channel.assertQueue(`${queue}.delay.${bucket}`, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': bucket,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      });
      await channel.close();
      expect(declared.messageCount).toBe(3);
      const ids: string[] = [];
      while (ids.length < 3) {
        const deliveries = await one.receive({ max: 10, leaseMs: 5_000, waitMs: 3_000 });
        expect(deliveries.length).toBeGreaterThan(0);
        for (const delivery of deliveries) {
          ids.push(delivery.id);
          await one.ack(delivery);
        }
      }
      expect(Date.now()).toBeGreaterThanOrEqual(soon);
      expect(ids.sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await Promise.all([one.close(), two.close()]);
      await deleteQueues(queue);
    }
  });

  it('lets the broker push no more than the prefetch, which grows to the largest max once nothing is unsettled', async () => {
    const made = transport();
    const queue = created.get(made)!;
    try {
      await made.setup();
      await made.send(Array.from({ length: 10 }, (_, index) => message(`p${index}`)));
      const held = [];
      while (held.length < 3) held.push(...(await made.receive({ max: 3, leaseMs: 10_000, waitMs: 2_000 })));
      await until('3 unacknowledged deliveries', async () => (await ready(queue)) === 7);
      // A larger max while deliveries are held must not let the process hold more than it asked for.
      expect(await made.receive({ max: 5, leaseMs: 10_000, waitMs: 200 })).toEqual([]);
      expect(await ready(queue)).toBe(7);
      for (const delivery of held) await made.ack(delivery);
      const more = await made.receive({ max: 5, leaseMs: 10_000, waitMs: 2_000 });
      expect(more.length).toBeGreaterThan(0);
      await until('5 unacknowledged deliveries', async () => (await ready(queue)) === 2);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('gives prefetched deliveries back when nobody receives them within prefetchHoldMs', async () => {
    const made = transport({ prefetchHoldMs: 300, prefetch: 5 });
    const queue = created.get(made)!;
    try {
      await made.setup();
      await made.send(Array.from({ length: 5 }, (_, index) => message(`h${index}`)));
      const [taken] = await made.receive({ max: 1, leaseMs: 10_000, waitMs: 2_000 });
      await until('the 4 buffered deliveries to go back', async () => (await ready(queue)) === 4);
      await made.ack(taken!);
      const rest = new Set<string>();
      while (rest.size < 4) for (const delivery of await made.receive({ max: 5, leaseMs: 10_000, waitMs: 2_000 })) rest.add(delivery.id);
      expect(rest.size).toBe(4);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('reconnects after the connection drops, declares again, and ignores receipts of the lost channel', async () => {
    const opened: AmqpConnection[] = [];
    const made = transport({
      connection: async () => {
        const connection = await amqplib.connect(url);
        opened.push(connection);
        return connection;
      },
      maxReconnectDelayMs: 200,
    });
    const queue = created.get(made)!;
    try {
      await made.setup();
      await made.send([message('before')]);
      const [held] = await made.receive({ max: 1, leaseMs: 30_000, waitMs: 2_000 });
      expect(held?.deliveryCount).toBe(1);
      const waiting = made.receive({ max: 1, leaseMs: 30_000, waitMs: 10_000 });
      cut(opened[0]!);
      expect(await waiting).toEqual([]);
      await until('the transport to reconnect', () => made.health() === 'connected' && opened.length === 2);
      await made.ack(held!);
      const [again] = await made.receive({ max: 1, leaseMs: 30_000, waitMs: 5_000 });
      expect(again).toMatchObject({ id: 'before', deliveryCount: 2 });
      await made.ack(again!);
      await deleteQueues(queue);
      await until('the next connection', async () => {
        cut(opened.at(-1)!);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return made.health() === 'connected' && opened.length >= 3;
      });
      await made.send([message('after')]);
      expect(await ready(queue)).toBe(1);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('bounds leases by consumerTimeoutMs: a longer leaseMs is refused, an extension past it rejects and the message comes back', async () => {
    const made = transport({ consumerTimeoutMs: 2_000 });
    try {
      expect(made.maxLeaseMs).toBe(1_800);
      await made.setup();
      await expect(made.receive({ max: 1, leaseMs: 1_801, waitMs: 0 })).rejects.toThrow(/"leaseMs" must be at most 1800/);
      await made.send([message('bounded')]);
      const [held] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      const received = Date.now();
      await made.extendLease(held!, 500);
      await expect(made.extendLease(held!, 5_000)).rejects.toBeInstanceOf(RabbitMqLeaseLimitError);
      const [again] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 5_000 });
      expect(again).toMatchObject({ id: 'bounded', deliveryCount: 2 });
      expect(Date.now() - received).toBeGreaterThanOrEqual(1_700);
      await made.ack(again!);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('rejects a send to a queue that does not exist with RabbitMqTopologyError instead of dropping it', async () => {
    const made = transport();
    try {
      const sending = made.send([message('unroutable')]);
      await expect(sending).rejects.toBeInstanceOf(RabbitMqTopologyError);
      await expect(sending).rejects.toThrow(/does not exist/);
    } finally {
      await made.close();
    }
  });

  it('publishes nacked messages once more, then rejects naming how many the broker refused', async () => {
    const queue = uniqueQueue();
    const channel = await admin!.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    await channel.close();
    const made = transport({ queue });
    try {
      // A quorum queue's length limit is approximate: it may take a few more before it is full.
      await made.send(['a', 'b', 'c', 'd'].map(message)).catch(() => undefined);
      const full = await ready(queue);
      const sending = made.send([message('refused')]);
      await expect(sending).rejects.toBeInstanceOf(TransportUnavailableError);
      await expect(sending).rejects.toThrow(/refused 1 of 1 messages twice/);
      expect(await ready(queue)).toBe(full);
    } finally {
      await made.close();
      await deleteQueues(queue);
    }
  });

  it('refuses a queue that exists with other arguments, naming it', async () => {
    const queue = uniqueQueue();
    const channel = await admin!.createChannel();
    await channel.assertQueue(queue, { durable: true });
    await channel.close();
    const made = transport({ queue });
    try {
      await expect(made.setup()).rejects.toThrow(new RegExp(`queue "${queue.replaceAll('.', '\\.')}": it exists with other arguments`));
    } finally {
      await made.close();
      await deleteQueues(queue);
    }
  });

  it('uses a connection given as an object without closing it', async () => {
    const connection = await amqplib.connect(url);
    const made = transport({ connection });
    try {
      await made.setup();
      await made.send([message('shared')]);
      const [delivery] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      await made.ack(delivery!);
      await made.close();
      const channel = await connection.createChannel();
      await channel.close();
    } finally {
      await cleanup(made);
      await connection.close();
    }
  });
});
