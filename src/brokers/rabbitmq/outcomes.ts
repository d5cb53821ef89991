import { describe } from '../../describe.js';
import type { DeadLetterReason, Delivery } from '../../transport/transport.js';
import { MAX_DELAY_MS } from './delay-buckets.js';
import { RabbitMqLeaseLimitError } from './errors.js';
import type { Lease } from './leases.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import type { RabbitMqReceiver } from './receiver.js';
import type { RabbitMqSender } from './sender.js';
import type { RabbitMqSetup } from './setup.js';
import { DeadLetterHeader, frame, readMessage, type Framed } from './wire.js';

/**
 * Checks that a retry's delay fits in RabbitMQ's longest TTL, for the transport to call first.
 *
 * @throws {RangeError} for a `delayMs` over {@link MAX_DELAY_MS}.
 */
export function checkRetryDelay(transport: string, delayMs: number): void {
  if (Math.ceil(delayMs) > MAX_DELAY_MS)
    throw new RangeError(`${transport} retry(): "delayMs" must be at most ${MAX_DELAY_MS} (RabbitMQ's longest TTL); got ${describe(delayMs)}.`);
}

/** Longer reasons are cut, so that the dead letter's headers stay well inside an AMQP frame. */
const MAX_REASON_LENGTH = 8_000;

/** Epoch milliseconds with a sub-millisecond fraction, increasing within this process. */
function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Writes the outcome of a delivery on the channel that received it (AMQP acknowledges per
 * channel). `retry` and `deadLetter` publish the new copy with a publisher confirm on that
 * channel and acknowledge the delivery only after the confirm: a crash in between gives a
 * duplicate, never a loss.
 *
 * A delivery this transport no longer holds (its lease ran out and it was given back, it was
 * settled already, or its channel closed) is left alone: every outcome then resolves without
 * doing anything, because the broker has the message back and will deliver it again.
 */
export class RabbitMqOutcomes {
  readonly #receiver: RabbitMqReceiver;
  readonly #sender: RabbitMqSender;
  readonly #setup: RabbitMqSetup;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;

  constructor(receiver: RabbitMqReceiver, sender: RabbitMqSender, setup: RabbitMqSetup, options: ResolvedRabbitMqOptions, transport: string) {
    this.#receiver = receiver;
    this.#sender = sender;
    this.#setup = setup;
    this.#options = options;
    this.#transport = transport;
  }

  /** Acknowledges the delivery (with the next coalesced flush of its channel). */
  ack(delivery: Delivery): void {
    const lease = this.#claim(delivery);
    if (lease !== undefined) this.#receiver.settle(lease, 'ack');
  }

  /** Gives the delivery back at once (nack with requeue). */
  release(delivery: Delivery): void {
    const lease = this.#claim(delivery);
    if (lease !== undefined) this.#receiver.settle(lease, 'requeue');
  }

  /** @throws {RabbitMqLeaseLimitError} when the bound cut the extension short (the lease still runs to the bound). */
  extendLease(delivery: Delivery, leaseMs: number): void {
    const { clipped, id } = this.#receiver.leases.extend(delivery.receipt, leaseMs);
    if (clipped) throw new RabbitMqLeaseLimitError(this.#transport, id, this.#options.maxLeaseMs);
  }

  /** Publishes a copy with `headers` to the delay queue of `delayMs` (the main queue when 0), then acks the delivery. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    const lease = this.#claim(delivery);
    if (lease === undefined) return;
    const delay = Math.ceil(delayMs);
    const body = readMessage(lease.arrival.message, lease.id).body;
    await this.#publishThenAck(lease, 'retry', async () => ({
      queue: delay > 0 ? await this.#setup.delayQueue(delay) : this.#options.queue,
      ...frame({ id: lease.id, headers, body }, undefined, delay > 0 ? delay : undefined),
    }));
  }

  /** Publishes the original headers (or `replacement`) and bytes with the reason to the dead-letter queue, then acks the delivery. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, replacement?: Readonly<Record<string, string>>): Promise<void> {
    const lease = this.#claim(delivery);
    if (lease === undefined) return;
    const { message } = lease.arrival;
    const text = reason.message;
    const extra = {
      [DeadLetterHeader.code]: reason.code,
      [DeadLetterHeader.message]: text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text,
      [DeadLetterHeader.at]: String(preciseNow()),
      [DeadLetterHeader.deliveryCount]: String(lease.deliveryCount),
    };
    const read = readMessage(message, lease.id);
    const framed = frame({ id: lease.id, headers: replacement ?? read.headers, body: read.body }, extra);
    await this.#publishThenAck(lease, 'dead-letter', () => Promise.resolve({ queue: this.#options.deadLetterQueue, ...framed }));
  }

  #claim(delivery: Delivery): Lease | undefined {
    const lease = this.#receiver.leases.claim(delivery.receipt);
    return lease !== undefined && this.#receiver.current(lease) ? lease : undefined;
  }

  /** Publishes the copy with a confirm, then acks; on failure the lease is held again until its deadline. */
  async #publishThenAck(lease: Lease, operation: string, build: () => Promise<Framed & { readonly queue: string }>): Promise<void> {
    try {
      await this.#sender.publish(operation, lease.arrival.open.channel, [await build()]);
    } catch (error) {
      if (this.#receiver.current(lease)) this.#receiver.leases.restore(lease);
      throw error;
    }
    this.#receiver.settle(lease, 'ack');
  }
}
