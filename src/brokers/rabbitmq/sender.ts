import type { OutgoingMessage } from '../../transport/transport.js';
import { ChannelSlot } from './channel-slot.js';
import type { AmqpChannel, RabbitMqConnection } from './connection.js';
import { MAX_DELAY_MS } from './delay-buckets.js';
import { RabbitMqTopologyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import { PublishFailure, publishConfirmed, type Publication } from './publish.js';
import type { RabbitMqTopology } from './topology.js';
import { frame, headerProblem, idProblem } from './wire.js';

/**
 * Checks what RabbitMQ adds to the transport rules: ids and header names are AMQP short strings,
 * broker-reserved header names are refused, and a delay fits in a 32-bit TTL.
 *
 * @throws {TypeError} naming the transport, the message index and the problem.
 * @throws {RangeError} for a `notBefore` further ahead than RabbitMQ can delay.
 */
export function checkRabbitMqMessages(transport: string, messages: readonly OutgoingMessage[], now: number): void {
  messages.forEach((message, index) => {
    let problem = idProblem(message.id);
    for (const name in message.headers) problem ??= checkedHeader(name);
    if (problem !== undefined) throw new TypeError(`${transport} send(): message ${index} ${problem}; RabbitMQ cannot carry it.`);
    if (message.notBefore !== undefined && message.notBefore - now > MAX_DELAY_MS) {
      throw new RangeError(
        `${transport} send(): message ${index} has a notBefore ${message.notBefore - now} ms ahead; RabbitMQ delays at most ${MAX_DELAY_MS} ms (about 49 days).`,
      );
    }
  });
}

/** How long the sender waits before publishing nacked messages again, in milliseconds. */
const NACK_RETRY_MS = 100;

/** Header names already found fine; the same few names come with every message. */
const fineHeaders = new Set<string>();

function checkedHeader(name: string): string | undefined {
  if (fineHeaders.has(name)) return undefined;
  const problem = headerProblem(name);
  if (problem === undefined && fineHeaders.size < 1_000) fineHeaders.add(name);
  return problem;
}

/**
 * Publishes messages with publisher confirms: a message due now goes to the main queue, a
 * delayed one to the delay queue of its bucket with its exact delay as `expiration`. Both are
 * routed through the default exchange as `mandatory`, so a missing queue is an error, not a drop.
 */
export class RabbitMqSender {
  readonly #connection: RabbitMqConnection;
  readonly #topology: RabbitMqTopology;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  readonly #channel: ChannelSlot;

  constructor(connection: RabbitMqConnection, topology: RabbitMqTopology, options: ResolvedRabbitMqOptions, transport: string) {
    this.#connection = connection;
    this.#topology = topology;
    this.#options = options;
    this.#transport = transport;
    this.#channel = new ChannelSlot(connection);
  }

  /** Sends the messages on the sending channel; resolves once the broker confirmed all. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { channel } = await this.#channel.get('send');
    await this.#topology.ensure('send');
    const now = Date.now();
    const publications: Publication[] = [];
    const delayed: Promise<void>[] = [];
    for (const message of messages) {
      const delayMs = message.notBefore === undefined ? 0 : Math.ceil(message.notBefore - now);
      if (delayMs <= 0) {
        publications.push({ queue: this.#options.queue, ...frame(message) });
        continue;
      }
      const index = publications.push({ queue: '', ...frame(message, undefined, delayMs) }) - 1;
      delayed.push(
        this.#topology.delayQueue(delayMs).then((queue) => {
          publications[index] = { ...(publications[index] as Publication), queue };
        }),
      );
    }
    if (delayed.length > 0) await Promise.all(delayed);
    await this.publish('send', channel, publications);
  }

  /**
   * Publishes on `channel` and waits for the confirms. Messages the broker nacks (it did not
   * take them: a quorum queue still electing its leader, for one) are published once more after
   * {@link NACK_RETRY_MS}. Failures are translated: a returned message is a
   * {@link RabbitMqTopologyError}, anything else a `TransportUnavailableError`.
   */
  async publish(operation: string, channel: AmqpChannel, publications: readonly Publication[]): Promise<void> {
    const blocked = this.#connection.blocked;
    // A blocked connection takes publishes but the broker reads none until the alarm clears.
    if (blocked !== undefined) throw this.#connection.unavailable(operation, `blocks publishing on this connection (${blocked}); the alarm must clear first`);
    try {
      let nacked = await publishConfirmed(channel, publications, this.#options.confirmTimeoutMs);
      if (nacked.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, NACK_RETRY_MS));
        nacked = await publishConfirmed(channel, nacked, this.#options.confirmTimeoutMs);
      }
      if (nacked.length > 0) {
        const queues = [...new Set(nacked.map(({ queue }) => queue))].join('", "');
        throw this.#connection.unavailable(operation, `refused ${nacked.length} of ${publications.length} messages twice (publisher nack, queue "${queues}")`);
      }
    } catch (error) {
      if (!(error instanceof PublishFailure)) throw error;
      if (error.returned) {
        this.#topology.forget();
        throw new RabbitMqTopologyError(this.#transport, error.queue, `${error.message}. Call setup() first (a worker does), or check the queue name.`);
      }
      throw this.#connection.unavailable(operation, `did not confirm the message (${error.message}); it may or may not be stored`, error);
    }
  }

  /** Closes the sending channel. */
  close(): Promise<void> {
    return this.#channel.close();
  }
}
