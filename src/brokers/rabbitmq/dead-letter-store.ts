import { describeThrown } from '../../describe.js';
import { deadLetterLimit } from '../../transport/dead-letter-limit.js';
import type { DeadLetter, DeadLetterStore } from '../../transport/transport.js';
import type { AmqpChannel, AmqpMessage, RabbitMqConnection } from './connection.js';
import { RabbitMqTopologyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import type { RabbitMqSender } from './sender.js';
import type { RabbitMqSetup } from './setup.js';
import { frame, readMessage } from './wire.js';

/** One dead letter read from the queue, with its place in time. */
interface Letter {
  readonly message: AmqpMessage;
  readonly letter: DeadLetter;
  /** failedAt with a sub-millisecond fraction, to order letters of the same millisecond. */
  readonly order: number;
}

/**
 * The dead letters of a {@link RabbitMqTransport}: a durable quorum queue beside the main
 * queue, each message with its original bytes and headers plus the reason, the time and the
 * delivery count in `troopy-dead-letter-*` headers.
 *
 * A queue cannot be read in place, so every operation reads the whole dead-letter queue on a
 * channel of its own (basic.get, unacknowledged), acts on the letters it is after, and gives
 * the rest back by closing the channel: cost grows with the number of dead letters, and while
 * one operation runs, another process's operation sees the letters it holds as missing. The
 * operations of one store run one at a time. Requeueing does not keep the queue's order, so
 * letters are ordered by their failure time. A message id dead-lettered twice is listed once
 * (the later); redrive and remove act on every copy. Redriving publishes the message to the
 * main queue with a confirm, then removes the letter (a crash in between leaves both).
 */
export class RabbitMqDeadLetterStore implements DeadLetterStore {
  readonly #connection: RabbitMqConnection;
  readonly #setup: RabbitMqSetup;
  readonly #sender: RabbitMqSender;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  #running: Promise<unknown> = Promise.resolve();

  /** @internal Made by the transport, which owns the connection; use `transport.deadLetters`. */
  constructor(connection: RabbitMqConnection, setup: RabbitMqSetup, sender: RabbitMqSender, options: ResolvedRabbitMqOptions, transport: string) {
    this.#connection = connection;
    this.#setup = setup;
    this.#sender = sender;
    this.#options = options;
    this.#transport = transport;
  }

  /** Dead letters, oldest first, at most `limit` (default 100). @throws {TypeError} for a bad limit. */
  async list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]> {
    const limit = deadLetterLimit(this.#transport, options);
    return this.#scan('list dead letters', (letters) =>
      Promise.resolve(
        latest(letters)
          .slice(0, limit)
          .map(({ letter }) => letter),
      ),
    );
  }

  /** One dead letter by message id, or `undefined`. */
  async get(id: string): Promise<DeadLetter | undefined> {
    return this.#scan('get a dead letter', (letters) => Promise.resolve(latest(letters.filter(({ letter }) => letter.id === id))[0]?.letter));
  }

  /** Puts the given dead letters (or all) back on the queue, delivery count starting again; returns how many. */
  async redrive(ids?: readonly string[]): Promise<number> {
    return this.#scan('redrive dead letters', async (letters, channel) => {
      const chosen = choose(letters, ids);
      const publications = latest(chosen).map(({ letter }) => ({
        queue: this.#options.queue,
        ...frame(letter),
      }));
      await this.#sender.publish('redrive dead letters', channel, publications);
      for (const { message } of chosen) channel.ack(message);
      return publications.length;
    });
  }

  /** Deletes the given dead letters (or all); returns how many. */
  async remove(ids?: readonly string[]): Promise<number> {
    return this.#scan('remove dead letters', (letters, channel) => {
      const chosen = choose(letters, ids);
      for (const { message } of chosen) channel.ack(message);
      return Promise.resolve(new Set(chosen.map(({ letter }) => letter.id)).size);
    });
  }

  /** Takes every dead letter on a fresh channel, runs `act`, then gives back what was not acked by closing it. */
  #scan<T>(operation: string, act: (letters: Letter[], channel: AmqpChannel) => Promise<T>): Promise<T> {
    const run = this.#running.then(async () => {
      await this.#setup.ensure(operation);
      const channel = await this.#connection.channel(operation);
      try {
        const letters: Letter[] = [];
        for (;;) {
          const message = await channel.get(this.#options.deadLetterQueue, { noAck: false });
          if (message === false) break;
          letters.push(this.#read(message));
        }
        letters.sort((a, b) => a.order - b.order);
        return await act(letters, channel);
      } catch (error) {
        const code = (error as { readonly code?: unknown }).code;
        if (code === undefined) throw error;
        if (code === 404)
          throw new RabbitMqTopologyError(this.#transport, this.#options.deadLetterQueue, 'it does not exist. Call setup() first.', { cause: error });
        throw this.#connection.unavailable(operation, `failed (${describeThrown(error).message})`, error);
      } finally {
        await channel.close().catch(() => undefined);
      }
    });
    this.#running = run.catch(() => undefined);
    return run;
  }

  #read(message: AmqpMessage): Letter {
    const read = readMessage(message, `amqp-dead-${message.fields.deliveryTag}`);
    const order = Number(read.deadLetter.at ?? message.properties.timestamp ?? 0);
    const brokerReason = read.brokerDeath === undefined ? undefined : `RabbitMQ dead-lettered it (${read.brokerDeath})`;
    const letter: DeadLetter = {
      id: read.id,
      headers: read.headers,
      body: read.body,
      reason: {
        code: read.deadLetter.code ?? (read.brokerDeath === 'delivery_limit' ? 'max-deliveries' : 'dead-lettered-by-broker'),
        message: read.deadLetter.message ?? brokerReason ?? 'unknown',
      },
      failedAt: Number.isFinite(order) ? Math.floor(order) : 0,
      deliveryCount: Number(read.deadLetter.deliveryCount ?? read.previousDeliveries),
    };
    return { message, letter, order: Number.isFinite(order) ? order : 0 };
  }
}

/** The letters with one of `ids` (all when `ids` is absent). */
function choose(letters: readonly Letter[], ids: readonly string[] | undefined): Letter[] {
  if (ids === undefined) return [...letters];
  const wanted = new Set(ids);
  return letters.filter(({ letter }) => wanted.has(letter.id));
}

/** One letter per message id, the latest, in the order of the input. */
function latest(letters: readonly Letter[]): Letter[] {
  const last = new Map<string, Letter>();
  for (const letter of letters) last.set(letter.letter.id, letter);
  return letters.filter((letter) => last.get(letter.letter.id) === letter);
}
