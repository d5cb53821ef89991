import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import type { InboundMessage, NatsConnection } from './connection.js';
import type { ConsumerLease } from './consumer-lease.js';
import type { DelayedMessageMover } from './delayed-mover.js';
import type { ResolvedNatsOptions } from './options.js';
import { pull } from './pull.js';
import { readReceipt } from './receipt.js';
import type { NatsSetup } from './setup.js';
import { readWire } from './wire.js';

/**
 * Takes deliveries from the queue's durable pull consumer, which every worker of the queue
 * shares, and keeps the delayed-message mover running while the transport receives.
 *
 * The lease is the consumer's `AckWait` (see {@link ConsumerLease}): when `receive` is asked for
 * another lease than the one set, it changes the consumer first (for every worker of the queue,
 * and for deliveries already made).
 */
export class NatsReceiver {
  readonly #connection: NatsConnection;
  readonly #options: ResolvedNatsOptions;
  readonly #transport: string;
  readonly #setup: NatsSetup;
  readonly #lease: ConsumerLease;
  readonly #mover: DelayedMessageMover;
  readonly #stop = new AbortController();

  constructor(
    connection: NatsConnection,
    options: ResolvedNatsOptions,
    transport: string,
    parts: { setup: NatsSetup; lease: ConsumerLease; mover: DelayedMessageMover },
  ) {
    this.#connection = connection;
    this.#options = options;
    this.#transport = transport;
    this.#setup = parts.setup;
    this.#lease = parts.lease;
    this.#mover = parts.mover;
  }

  /**
   * Sets up first if needed, starts moving due delayed messages, then pulls up to `max`
   * deliveries, waiting up to `waitMs` for the first, after setting the consumer's lease to
   * `leaseMs`. Resolves with what it has when `signal` aborts or the receiver closes.
   */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    if (options.signal?.aborted === true) return [];
    await this.#setup.ensure();
    this.#mover.start();
    const signals = options.signal === undefined ? [this.#stop.signal] : [options.signal, this.#stop.signal];
    return this.#setup.watch(this.#pull(options, signals));
  }

  /** Ends pending receives (they resolve with what they have) and stops moving delayed messages. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#mover.stop();
  }

  async #pull(options: ReceiveOptions, signals: readonly AbortSignal[]): Promise<Delivery[]> {
    await this.#lease.use(options.leaseMs);
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

  #delivery(message: InboundMessage): Delivery {
    const info = readReceipt(message.reply);
    const sequence = info?.streamSeq ?? 0;
    const { id, headers } = readWire(message.headers, `nats:${this.#options.names.stream}:${sequence}`);
    const delivery = { id, headers, body: message.data, receipt: message.reply, deliveryCount: info?.deliveryCount ?? 1 };
    this.#lease.started(delivery);
    return delivery;
  }
}
