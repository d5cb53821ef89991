import type { OutgoingMessage } from '../../transport/transport.js';
import { ChannelSlot } from './channel-slot.js';
import { coalesceWrites, type AmqpChannel, type AmqpMessage, type AmqpPublishOptions, type RabbitMqConnection } from './connection.js';
import { MAX_DELAY_MS } from './delay-buckets.js';
import { RabbitMqTopologyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import type { RabbitMqSetup } from './setup.js';
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
 * Sending, in one place: publishes messages with publisher confirms, a message due now to the
 * main queue, a delayed one to the delay queue of its bucket with its exact delay as
 * `expiration`. Both are routed through the default exchange as `mandatory`, so a missing queue
 * is an error, not a drop. Retries, dead letters and redrives publish through {@link publish}
 * too, on the channel they need (the delivery's, the dead-letter scan's).
 */
export class RabbitMqSender {
  readonly #connection: RabbitMqConnection;
  readonly #setup: RabbitMqSetup;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  readonly #channel: ChannelSlot;

  constructor(connection: RabbitMqConnection, setup: RabbitMqSetup, options: ResolvedRabbitMqOptions, transport: string) {
    this.#connection = connection;
    this.#setup = setup;
    this.#options = options;
    this.#transport = transport;
    this.#channel = new ChannelSlot(connection);
  }

  /** Sends the messages on the sending channel; resolves once the broker confirmed all. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { channel } = await this.#channel.get('send');
    await this.#setup.ensure('send');
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
        this.#setup.delayQueue(delayMs).then((queue) => {
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
        this.#setup.forget();
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

// Publisher confirms on one channel: amqplib's confirm callbacks, basic.return and a timeout in one promise.

/** One message to publish to a queue through the default exchange. */
export interface Publication {
  readonly queue: string;
  readonly content: Buffer;
  readonly options: AmqpPublishOptions;
}

/** Why a publish was not confirmed; `returned` when the broker had no queue for it. */
class PublishFailure extends Error {
  override name = 'PublishFailure';
  readonly queue: string;
  readonly returned: boolean;

  constructor(queue: string, detail: string, returned: boolean, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
    this.queue = queue;
    this.returned = returned;
  }
}

/** Message ids returned as unroutable, per channel, until their confirm arrives. */
const returns = new WeakMap<AmqpChannel, Map<string, number>>();

function returnedOn(channel: AmqpChannel): Map<string, number> {
  let returned = returns.get(channel);
  if (returned === undefined) {
    const map = new Map<string, number>();
    // The broker sends basic.return before the basic.ack of the same message.
    channel.on('return', (message: AmqpMessage) => {
      const id = String(message.properties.messageId);
      map.set(id, (map.get(id) ?? 0) + 1);
    });
    returns.set(channel, (returned = map));
  }
  return returned;
}

/** amqplib's error for a basic.nack, as opposed to a closed channel. */
const NACKED = 'message nacked';

/**
 * Publishes every message on a confirm channel and waits for the broker's answer to each.
 * Resolves with the publications the broker nacked (empty when it confirmed all). Rejects with
 * a {@link PublishFailure} as soon as one is returned as unroutable (`mandatory`) or lost with
 * its channel, or when some are still unanswered after `timeoutMs`.
 */
function publishConfirmed(channel: AmqpChannel, publications: readonly Publication[], timeoutMs: number): Promise<Publication[]> {
  if (publications.length === 0) return Promise.resolve([]);
  const returned = returnedOn(channel);
  const nacked: Publication[] = [];
  return new Promise((resolve, reject) => {
    let waiting = publications.length;
    let settled = false;
    const fail = (failure: PublishFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
    };
    const timer = setTimeout(() => {
      fail(new PublishFailure(publications[0]?.queue ?? '', `no publisher confirm within ${timeoutMs} ms`, false));
    }, timeoutMs);
    const confirmed = (publication: Publication, error: unknown): void => {
      const { queue } = publication;
      const times = returned.size === 0 ? undefined : returned.get(String(publication.options.messageId));
      if (times !== undefined) {
        const id = String(publication.options.messageId);
        if (times > 1) returned.set(id, times - 1);
        else returned.delete(id);
        fail(new PublishFailure(queue, `queue "${queue}" does not exist (the message was returned as unroutable)`, true));
        return;
      }
      if (error instanceof Error && error.message === NACKED) {
        nacked.push(publication);
      } else if (error !== null && error !== undefined) {
        fail(new PublishFailure(queue, error instanceof Error ? error.message : 'the channel failed', false, error));
        return;
      }
      if (--waiting === 0 && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(nacked);
      }
    };
    for (const publication of publications) {
      try {
        // An inline callback, not a named one: tsx/esbuild would name every closure made per message.
        channel.publish('', publication.queue, publication.content, publication.options, (error: unknown) => {
          confirmed(publication, error);
        });
      } catch (error) {
        fail(new PublishFailure(publication.queue, error instanceof Error ? error.message : 'the channel failed', false, error));
        return;
      }
    }
    coalesceWrites(channel);
  });
}
