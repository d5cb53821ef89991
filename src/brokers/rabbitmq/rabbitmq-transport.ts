import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { RabbitMqConnection } from './connection.js';
import { RabbitMqDeadLetterStore } from './dead-letter-store.js';
import { checkLeaseBound } from './leases.js';
import { resolveRabbitMqOptions, type RabbitMqTransportOptions, type ResolvedRabbitMqOptions } from './options.js';
import { checkRetryDelay, RabbitMqOutcomes } from './outcomes.js';
import { RabbitMqReceiver } from './receiver.js';
import { checkRabbitMqMessages, RabbitMqSender } from './sender.js';
import { RabbitMqSetup } from './setup.js';

/**
 * A {@link Transport} on RabbitMQ 3.10 or newer (AMQP 0-9-1), with amqplib as the client.
 *
 * - The queue is a durable quorum queue; `setup()` declares it and its dead-letter queue, and
 *   they are declared again after every reconnection.
 * - `send` resolves only after the broker's publisher confirm of every message; it rejects
 *   with `TransportUnavailableError` on a nack, a lost channel, an outage or no confirm within
 *   `confirmTimeoutMs`, and with `RabbitMqTopologyError` when the queue does not exist.
 * - `receive` consumes with a per-consumer prefetch (the worker's concurrency) and hands out
 *   what the broker pushed. `deliveryCount` is the quorum queue's `x-delivery-count` plus one.
 * - Leases are kept by the transport: RabbitMQ redelivers only when a channel closes, so a
 *   delivery whose lease runs out is given back (nack with requeue) by the transport itself,
 *   and a dead process's deliveries come back when its connection drops. A lease, extensions
 *   included, never runs past {@link maxLeaseMs}, the bound the broker's `consumer_timeout`
 *   sets (RabbitMQ closes the whole channel of a delivery kept longer): `receive` refuses a
 *   longer `leaseMs`, and `extendLease` past the bound rejects with `RabbitMqLeaseLimitError`.
 * - `retry` and delayed sends go through delay queues (one per delay bucket, created on first
 *   use, each message with its exact delay as `expiration`), which expire into the main queue
 *   through the default exchange with at-least-once dead-lettering; no plugin is needed.
 * - Outcomes are written on the channel that received the delivery; a delivery whose lease
 *   ended or whose channel closed is left alone (the broker delivers it again).
 * - The connection reconnects by itself with capped backoff; `health()` follows it.
 *
 * @example
 * ```ts
 * import { RabbitMqTransport } from 'troopy/rabbitmq';
 *
 * const transport = new RabbitMqTransport({ url: process.env.AMQP_URL, queue: 'billing.commands' });
 * await transport.setup();
 * ```
 */
export class RabbitMqTransport implements Transport {
  /** `rabbitmq:` followed by the queue name. */
  readonly name: string;
  /** The dead letters: a quorum queue beside the main queue. */
  readonly deadLetters: RabbitMqDeadLetterStore;
  /**
   * The longest a delivery can stay leased from its arrival, extensions included, in
   * milliseconds: the `consumerTimeoutMs` option less a safety margin (a tenth, at most 5 s).
   */
  readonly maxLeaseMs: number;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #connection: RabbitMqConnection;
  readonly #setup: RabbitMqSetup;
  readonly #sender: RabbitMqSender;
  readonly #receiver: RabbitMqReceiver;
  readonly #outcomes: RabbitMqOutcomes;
  readonly #guard: ClosedGuard;

  /** @throws {TypeError} naming the option, for an invalid option. */
  constructor(options: RabbitMqTransportOptions = {}) {
    this.#options = resolveRabbitMqOptions(options);
    this.name = `rabbitmq:${this.#options.queue}`;
    this.maxLeaseMs = this.#options.maxLeaseMs;
    this.#guard = new ClosedGuard(this.name);
    this.#connection = new RabbitMqConnection(this.#options, this.name);
    this.#setup = new RabbitMqSetup(this.#connection, this.#options, this.name);
    this.#sender = new RabbitMqSender(this.#connection, this.#setup, this.#options, this.name);
    this.#receiver = new RabbitMqReceiver(this.#connection, this.#setup, this.#options, this.name);
    this.#outcomes = new RabbitMqOutcomes(this.#receiver, this.#sender, this.#setup, this.#options, this.name);
    this.deadLetters = new RabbitMqDeadLetterStore(this.#connection, this.#setup, this.#sender, this.#options, this.name);
  }

  /** Declares the main quorum queue and the dead-letter queue unless they exist; idempotent. */
  async setup(): Promise<void> {
    this.#guard.check('set up');
    await this.#setup.setup();
  }

  /** Publishes with publisher confirms; resolves once the broker confirmed every message. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.#guard.check('send');
    checkOutgoingMessages(this.name, messages);
    checkRabbitMqMessages(this.name, messages, Date.now());
    await this.#sender.send(messages);
  }

  /**
   * Leases up to `max` deliveries, waiting up to `waitMs` for the first.
   *
   * @throws {TypeError} for invalid options, and for a `leaseMs` over {@link maxLeaseMs}.
   */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    checkLeaseBound(this.name, options.leaseMs, this.maxLeaseMs);
    if (this.#guard.closing) return [];
    return this.#receiver.receive(options);
  }

  /** Acknowledges the delivery on its channel; a delivery no longer held is left alone. */
  ack(delivery: Delivery): Promise<void> {
    return this.#now('ack', () => {
      this.#outcomes.ack(delivery);
    });
  }

  /** Publishes a copy with `headers` to the delay queue for `delayMs` (the queue itself when 0), confirmed, then acks the delivery. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    checkRetryDelay(this.name, delayMs);
    await this.#outcomes.retry(delivery, delayMs, headers);
  }

  /** Publishes the original bytes and headers (or `headers`) with the reason to the dead-letter queue, confirmed, then acks the delivery. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('dead-letter');
    await this.#outcomes.deadLetter(delivery, reason, headers);
  }

  /**
   * Moves the lease end to `leaseMs` from now, within {@link maxLeaseMs} of the delivery's arrival.
   *
   * @throws {RabbitMqLeaseLimitError} when the bound cuts the extension short.
   */
  extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    return this.#now('extend a lease', () => {
      checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
      this.#outcomes.extendLease(delivery, leaseMs);
    });
  }

  /** Gives the delivery back at once (nack with requeue); the broker counts it as a delivery. */
  release(delivery: Delivery): Promise<void> {
    return this.#now('release', () => {
      this.#outcomes.release(delivery);
    });
  }

  /** `connected`, `reconnecting` (also before the first connection), or `failed` (closed, or amqplib missing). */
  health(): TransportHealth {
    return this.#connection.health();
  }

  /** Ends pending receives, closes the channels (the broker requeues what they held) and the connection. */
  close(): Promise<void> {
    return this.#guard.close(async () => {
      await Promise.all([this.#receiver.close(), this.#sender.close(), this.#setup.close()]);
      await this.#connection.close();
    });
  }

  /** Runs an operation that needs no round trip (AMQP acks are not answered) behind the guard, as a promise. */
  #now(operation: string, action: () => void): Promise<void> {
    try {
      this.#guard.check(operation);
      action();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
