import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import type { InboundMessage, NatsConnection } from './connection.js';
import type { ResolvedNatsOptions } from './options.js';
import { pull } from './pull.js';
import { readReceipt, type ReceiptInfo } from './receipt.js';
import { setLease } from './setup.js';
import { readWire } from './wire.js';

/** The acknowledgement a delivery gets: `+ACK` done, `-NAK` again now, `+WPI` still working, `+TERM` never again. */
export type Acknowledgement = '+ACK' | '-NAK' | '+WPI' | '+TERM';

/**
 * Takes deliveries from the queue's durable pull consumer and answers them. The receipt of a
 * delivery is its acknowledgement subject, so any transport of the same queue can answer it.
 *
 * The lease is the consumer's `AckWait`: when `receive` is asked for another lease than the one
 * set, it changes the consumer first (for every worker of the queue, and for deliveries already
 * made).
 */
export class NatsReceiver {
  readonly #connection: NatsConnection;
  readonly #options: ResolvedNatsOptions;
  readonly #transport: string;
  #leaseMs: number;
  #leaseChange: Promise<void> = Promise.resolve();
  /** When the lease of each delivery made here runs out, by this process's clock (performance.now()), less a margin. */
  readonly #leaseEnds = new WeakMap<Delivery, number>();

  constructor(connection: NatsConnection, options: ResolvedNatsOptions, transport: string) {
    this.#connection = connection;
    this.#options = options;
    this.#transport = transport;
    this.#leaseMs = options.leaseMs;
  }

  /** The lease set on the consumer, in milliseconds, as far as this transport knows. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** Takes note of the consumer's `AckWait`, as read by `setup()`. */
  set leaseMs(leaseMs: number) {
    this.#leaseMs = leaseMs;
  }

  /** Pulls up to `max` deliveries, waiting up to `waitMs` for the first, after setting the consumer's lease to `leaseMs`. */
  async receive(options: ReceiveOptions, signals: readonly AbortSignal[]): Promise<Delivery[]> {
    await this.#useLease(options.leaseMs);
    const { stream, consumer } = this.#options.names;
    const messages = await pull(this.#connection, {
      transport: this.#transport,
      stream,
      consumer,
      batch: options.max,
      waitMs: options.waitMs,
      timeoutMs: this.#options.timeoutMs,
      signals,
    });
    return messages.map((message) => this.#delivery(message));
  }

  /**
   * Sends `acknowledgement` for the delivery on the connection, after everything this transport
   * sent before it. JetStream does not confirm it: one lost with the connection leaves the
   * message to its lease, so it is delivered again (at least once, never lost).
   *
   * @throws {TransportUnavailableError} while the connection is down.
   */
  answer(delivery: Delivery, acknowledgement: Acknowledgement, operation: string): void {
    this.info(delivery, operation);
    this.#connection.emit(operation, delivery.receipt, acknowledgement);
  }

  /**
   * Reads the delivery's receipt.
   *
   * @throws {TypeError} when the delivery was not received from this queue's consumer.
   */
  info(delivery: Delivery, operation: string): ReceiptInfo {
    const receipt: unknown = (delivery as Partial<Delivery> | null)?.receipt;
    const info = typeof receipt === 'string' ? readReceipt(receipt) : undefined;
    const { stream, consumer } = this.#options.names;
    if (info === undefined || info.stream !== stream || info.consumer !== consumer) {
      throw new TypeError(
        `${this.#transport} ${operation}(): the delivery's receipt ${JSON.stringify(receipt)} is not an acknowledgement subject of consumer "${consumer}" ` +
          `of stream "${stream}"; pass a delivery received from this transport.`,
      );
    }
    return info;
  }

  /**
   * Whether the delivery's lease may still run: `false` once it has run out by this process's
   * clock (less a margin of a tenth of the lease, at most 1 s, for the time the delivery took to
   * arrive), when JetStream may already have given the message to another consumer. `true` for
   * a delivery this receiver did not make (it cannot tell).
   */
  leaseRunning(delivery: Delivery): boolean {
    const end = this.#leaseEnds.get(delivery);
    return end === undefined || performance.now() < end;
  }

  /** Notes that the delivery's lease was renewed now (an in-progress acknowledgement was sent). */
  leaseRenewed(delivery: Delivery): void {
    if (this.#leaseEnds.has(delivery)) this.#leaseEnds.set(delivery, this.#leaseEnd());
  }

  #leaseEnd(): number {
    return performance.now() + this.#leaseMs - Math.min(1_000, this.#leaseMs / 10);
  }

  async #useLease(leaseMs: number): Promise<void> {
    if (leaseMs === this.#leaseMs) return;
    await this.#leaseChange.catch(() => undefined);
    if (leaseMs === this.#leaseMs) return;
    this.#leaseChange = setLease(this.#connection, this.#options, leaseMs).then(() => {
      this.#leaseMs = leaseMs;
    });
    await this.#leaseChange;
  }

  #delivery(message: InboundMessage): Delivery {
    const info = readReceipt(message.reply);
    const sequence = info?.streamSeq ?? 0;
    const { id, headers } = readWire(message.headers, `nats:${this.#options.names.stream}:${sequence}`);
    const delivery = { id, headers, body: message.data, receipt: message.reply, deliveryCount: info?.deliveryCount ?? 1 };
    this.#leaseEnds.set(delivery, this.#leaseEnd());
    return delivery;
  }
}
