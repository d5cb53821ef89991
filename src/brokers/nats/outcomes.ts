import type { DeadLetterReason, Delivery } from '../../transport/transport.js';
import type { NatsConnection } from './connection.js';
import type { ConsumerLease } from './consumer-lease.js';
import type { NatsNames } from './options.js';
import { deliveryReceipt } from './receipt.js';
import { publishCopy } from './sender.js';
import { deadLetterSubjectOf, WireHeader, wireHeaders, writeDeadLetterRecord } from './wire.js';

/** The acknowledgement a delivery gets: `+ACK` done, `-NAK` again now, `+WPI` still working, `+TERM` never again. */
export type Acknowledgement = '+ACK' | '-NAK' | '+WPI' | '+TERM';

/**
 * What a worker decides for a delivery, as JetStream acknowledgements on its receipt (the
 * delivery's acknowledgement subject, so any transport of the same queue can answer it).
 *
 * The acknowledgements are not confirmed by the server: each is sent on the connection after
 * everything sent before it, and the call resolves then; one lost with the connection leaves the
 * message to its lease, so it is delivered again (at least once, never lost). While the
 * connection is down, every outcome rejects at once with `TransportUnavailableError`.
 *
 * The receipt names the message (its stream sequence), not one delivery. So `extendLease` and
 * `release` do nothing once the delivery's lease has run out by this process's clock (see
 * {@link ConsumerLease.running}): the message may be with another consumer by then, whose lease
 * an in-progress acknowledgement would extend, or which a negative one would hand out a second
 * time while that consumer runs it.
 */
export class NatsOutcomes {
  readonly #connection: NatsConnection;
  readonly #names: NatsNames;
  readonly #lease: ConsumerLease;
  readonly #transport: string;

  constructor(connection: NatsConnection, names: NatsNames, lease: ConsumerLease, transport: string) {
    this.#connection = connection;
    this.#names = names;
    this.#lease = lease;
    this.#transport = transport;
  }

  /** Acknowledges the delivery: the stream deletes the message. */
  ack(delivery: Delivery): Promise<void> {
    try {
      this.#answer(delivery, '+ACK', 'ack');
      return Promise.resolve();
    } catch (error) {
      return rejection(error);
    }
  }

  /**
   * Publishes a copy with `headers` and the same body (PubAck awaited), due in `delayMs`, then
   * acknowledges the delivery: the copy counts its deliveries from 1. The copy's `Nats-Msg-Id`
   * names the delivery, so a retry repeated after a lost acknowledgement stores one copy.
   */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    const { streamSeq, deliveryCount } = deliveryReceipt(delivery, this.#names, this.#transport, 'retry');
    const copy = { id: delivery.id, headers: { ...headers }, body: delivery.body };
    await publishCopy(this.#connection, this.#names, 'retry', copy, `troopy-retry-${streamSeq}-${deliveryCount}`, Date.now() + delayMs);
    this.#answer(delivery, '+ACK', 'retry');
  }

  /**
   * Publishes the message with its headers (or `replacement`), bytes and `reason` to the
   * dead-letter stream (PubAck awaited), then terminates the delivery.
   */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, replacement?: Readonly<Record<string, string>>): Promise<void> {
    deliveryReceipt(delivery, this.#names, this.#transport, 'deadLetter');
    const record = { reason: { code: reason.code, message: reason.message }, failedAt: Date.now(), deliveryCount: delivery.deliveryCount };
    const message = replacement === undefined ? delivery : { id: delivery.id, headers: replacement, body: delivery.body };
    const headers = { ...wireHeaders(message), [WireHeader.deadLetter]: writeDeadLetterRecord(record) };
    await this.#connection.publish('dead-letter', deadLetterSubjectOf(this.#names, delivery.id), delivery.body, headers);
    this.#answer(delivery, '+TERM', 'dead-letter');
  }

  /**
   * Sends an in-progress acknowledgement: the lease restarts for the consumer's `AckWait`
   * (JetStream has no lease of another length). Does nothing once the lease has run out.
   */
  extendLease(delivery: Delivery): Promise<void> {
    try {
      if (this.#leaseRunning(delivery, 'extend a lease')) {
        this.#answer(delivery, '+WPI', 'extend a lease');
        this.#lease.renewed(delivery);
      }
      return Promise.resolve();
    } catch (error) {
      return rejection(error);
    }
  }

  /** Sends a negative acknowledgement without delay, so the message is delivered again at once; does nothing once the lease has run out. */
  release(delivery: Delivery): Promise<void> {
    try {
      if (this.#leaseRunning(delivery, 'release')) this.#answer(delivery, '-NAK', 'release');
      return Promise.resolve();
    } catch (error) {
      return rejection(error);
    }
  }

  /** The receipt-staleness guard: whether an in-progress or negative acknowledgement may still be sent for the delivery. */
  #leaseRunning(delivery: Delivery, operation: string): boolean {
    deliveryReceipt(delivery, this.#names, this.#transport, operation);
    return this.#lease.running(delivery);
  }

  /**
   * Sends `acknowledgement` on the delivery's receipt.
   *
   * @throws {TypeError} when the delivery was not received from this queue's consumer.
   * @throws {TransportUnavailableError} while the connection is down.
   */
  #answer(delivery: Delivery, acknowledgement: Acknowledgement, operation: string): void {
    deliveryReceipt(delivery, this.#names, this.#transport, operation);
    this.#connection.emit(operation, delivery.receipt, acknowledgement);
  }
}

/** What an outcome that failed before sending anything resolves to: a rejection, not a throw. */
function rejection(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
