import type { OutgoingMessage } from '../../transport/transport.js';
import { ChannelSlot } from './channel-slot.js';
import type { AmqpChannel, RabbitMqConnection } from './connection.js';
import { MAX_DELAY_MS } from './delay-buckets.js';
import { RabbitMqTopologyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import { PublishFailure, publishConfirmed, type Publication } from './publish.js';
import type { RabbitMqTopology } from './topology.js';
import { bodyOf, headerProblem, idProblem, publishOptions } from './wire.js';

/**
 * Checks what RabbitMQ adds to the transport rules: ids and header names are AMQP short strings,
 * broker-reserved header names are refused, and a delay fits in a 32-bit TTL.
 *
 * @throws {TypeError} naming the transport, the message index and the problem.
 * @throws {RangeError} for a `notBefore` further ahead than RabbitMQ can delay.
 */
export function checkRabbitMqMessages(transport: string, messages: readonly OutgoingMessage[], now: number): void {
  messages.forEach((message, index) => {
    const problem = idProblem(message.id) ?? Object.keys(message.headers).map(headerProblem).find((found) => found !== undefined);
    if (problem !== undefined) throw new TypeError(`${transport} send(): message ${index} ${problem}; RabbitMQ cannot carry it.`);
    if (message.notBefore !== undefined && message.notBefore - now > MAX_DELAY_MS) {
      throw new RangeError(`${transport} send(): message ${index} has a notBefore ${message.notBefore - now} ms ahead; RabbitMQ delays at most ${MAX_DELAY_MS} ms (about 49 days).`);
    }
  });
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
    const publications = await Promise.all(
      messages.map(async (message): Promise<Publication> => {
        const delayMs = message.notBefore === undefined ? 0 : Math.ceil(message.notBefore - now);
        if (delayMs <= 0) return { queue: this.#options.queue, content: bodyOf(message), options: publishOptions(message) };
        return { queue: await this.#topology.delayQueue(delayMs), content: bodyOf(message), options: publishOptions(message, undefined, delayMs) };
      }),
    );
    await this.publish('send', channel, publications);
  }

  /**
   * Publishes on `channel` and waits for the confirms, translating failures: a returned message
   * is a {@link RabbitMqTopologyError}, anything else a `TransportUnavailableError`.
   */
  async publish(operation: string, channel: AmqpChannel, publications: readonly Publication[]): Promise<void> {
    try {
      await publishConfirmed(channel, publications, this.#options.confirmTimeoutMs);
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
