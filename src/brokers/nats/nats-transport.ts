import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import { TransportClosedError } from '../../transport/transport-errors.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { NatsConnection } from './connection.js';
import { NatsDeadLetterStore } from './dead-letter-store.js';
import { DelayedMessageMover } from './delayed-mover.js';
import { resolveNatsOptions, type NatsTransportOptions, type ResolvedNatsOptions } from './options.js';
import { NatsReceiver, type Acknowledgement } from './receiver.js';
import { publishCopy, publishMessages } from './sender.js';
import { setUpJetStream } from './setup.js';
import { deadLetterSubjectOf, WireHeader, wireHeaders, writeDeadLetterRecord } from './wire.js';

/**
 * A {@link Transport} on NATS JetStream, from `troopy/nats`. It needs the optional peer
 * dependencies `@nats-io/transport-node` and `@nats-io/jetstream` (version 3), loaded on first use;
 * without them, the first operation rejects with `NatsClientMissingError` and `health()` says `failed`.
 *
 * How the contract maps to JetStream (2.9 or later):
 * - The queue is a file-backed stream with work-queue retention, read through one durable pull
 *   consumer that all workers share. `send` resolves after every message's PubAck.
 * - The lease is the consumer's `AckWait` (see {@link NatsTransportOptions.leaseMs}); `extendLease`
 *   sends an in-progress acknowledgement, which restarts it for another `AckWait`; `release` is a
 *   negative acknowledgement without delay; `deliveryCount` is JetStream's count of deliveries.
 *   `MaxDeliver` is a backstop above the worker's `maxDeliveries`.
 * - A delayed send and a retry with a delay go to `${subject}.delayed` and reach the queue when
 *   due, moved there by every receiving transport; a retry publishes a copy with the new headers and
 *   acknowledges the original, so the copy counts its deliveries from 1, as a retry does on
 *   every transport.
 * - A dead letter is published (PubAck awaited) to the dead-letter stream with its headers, bytes
 *   and reason, then the original is terminated.
 *
 * A receipt is the delivery's acknowledgement subject, which JetStream resolves to the message
 * (its stream sequence), not to one delivery. So `extendLease` and `release` do nothing once the
 * delivery's lease has run out by this process's clock (less a margin of a tenth of the lease,
 * at most 1 s): the message may be with another consumer by then. A delivery answered by
 * another transport object than the one that received it, or a copy of one, has no such guard.
 *
 * `ack`, `release` and `extendLease` send JetStream's acknowledgements, which the server does not
 * confirm: they resolve once the acknowledgement is on its way, after everything sent before it
 * (an acknowledgement lost with the connection leaves the message to its lease, so it is
 * delivered again, never lost). The client reconnects by itself; while it is
 * disconnected every call rejects at once with `TransportUnavailableError` and `health()` says
 * `reconnecting`; pulls start again after the reconnection.
 *
 * @example
 * ```ts
 * import { NatsTransport } from 'troopy/nats';
 *
 * const transport = new NatsTransport({ servers: 'nats.internal:4222', stream: 'orders', subject: 'orders.commands' });
 * await transport.setup();
 * ```
 */
export class NatsTransport implements Transport {
  /** `nats:` and the stream name, such as `nats:troopy-commands`. */
  readonly name: string;
  /**
   * The lease of every delivery: the `leaseMs` option, which becomes the consumer's `AckWait`.
   * JetStream keeps one lease per consumer, so a `Worker` takes it from here when its own
   * `leaseMs` is left out, and refuses one that differs.
   */
  readonly leaseMs: number;
  /** The dead letters, in the dead-letter stream. */
  readonly deadLetters: NatsDeadLetterStore;
  readonly #options: ResolvedNatsOptions;
  readonly #connection: NatsConnection;
  readonly #receiver: NatsReceiver;
  readonly #mover: DelayedMessageMover;
  readonly #stop = new AbortController();
  #settingUp: Promise<void> | undefined;
  #ready = false;
  readonly #guard: ClosedGuard;

  /** @throws {TypeError} naming the option, the rule and the value received. */
  constructor(options: NatsTransportOptions = {}) {
    this.#options = resolveNatsOptions(options);
    this.name = `nats:${this.#options.names.stream}`;
    this.leaseMs = this.#options.leaseMs;
    this.#guard = new ClosedGuard(this.name);
    this.#connection = new NatsConnection(this.#options, this.name);
    this.#receiver = new NatsReceiver(this.#connection, this.#options, this.name);
    this.#mover = new DelayedMessageMover(this.#connection, this.#options, this.name);
    this.deadLetters = new NatsDeadLetterStore(this.name, this.#connection, this.#options.names, () => this.#ensureSetUp('read dead letters'));
  }

  /** Creates or updates the streams and consumers (see `setUpJetStream`); idempotent, and concurrent calls share one run. */
  setup(): Promise<void> {
    if (this.#guard.closing) return Promise.reject(new TransportClosedError(this.name, 'set up'));
    this.#settingUp ??= setUpJetStream(this.#connection, this.name, this.#options, this.#receiver.leaseMs).then(
      (leaseMs) => {
        this.#settingUp = undefined;
        this.#receiver.leaseMs = leaseMs;
        this.#ready = true;
      },
      (error: unknown) => {
        this.#settingUp = undefined;
        throw error;
      },
    );
    return this.#settingUp;
  }

  /** Publishes the messages and resolves once JetStream acknowledged all of them. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.#open('send');
    checkOutgoingMessages(this.name, messages);
    if (messages.length === 0) return;
    await this.#ensureSetUp('send');
    await this.#watch(publishMessages(this.#connection, this.#options.names, messages));
  }

  /** Leases up to `max` deliveries, waiting up to `waitMs` for the first; starts moving due delayed messages. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    if (this.#guard.closing || options.signal?.aborted === true) return [];
    await this.#ensureSetUp('receive');
    this.#mover.start();
    const signals = options.signal === undefined ? [this.#stop.signal] : [options.signal, this.#stop.signal];
    return this.#watch(this.#receiver.receive(options, signals));
  }

  /** Acknowledges the delivery: the stream deletes the message. */
  ack(delivery: Delivery): Promise<void> {
    return this.#answer(delivery, '+ACK', 'ack');
  }

  /** Publishes a copy with `headers` and the same body, due in `delayMs`, then acknowledges the delivery. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#open('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    const { streamSeq, deliveryCount } = this.#receiver.info(delivery, 'retry');
    const copy = { id: delivery.id, headers: { ...headers }, body: delivery.body };
    await publishCopy(this.#connection, this.#options.names, 'retry', copy, `troopy-retry-${streamSeq}-${deliveryCount}`, Date.now() + delayMs);
    this.#receiver.answer(delivery, '+ACK', 'retry');
  }

  /** Publishes the message with its headers (or `replacement`), bytes and `reason` to the dead-letter stream, then terminates the delivery. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, replacement?: Readonly<Record<string, string>>): Promise<void> {
    this.#open('dead-letter');
    this.#receiver.info(delivery, 'deadLetter');
    const record = { reason: { code: reason.code, message: reason.message }, failedAt: Date.now(), deliveryCount: delivery.deliveryCount };
    const message = replacement === undefined ? delivery : { id: delivery.id, headers: replacement, body: delivery.body };
    const headers = { ...wireHeaders(message), [WireHeader.deadLetter]: writeDeadLetterRecord(record) };
    const subject = deadLetterSubjectOf(this.#options.names, delivery.id);
    await this.#connection.publish('dead-letter', subject, delivery.body, headers);
    this.#receiver.answer(delivery, '+TERM', 'dead-letter');
  }

  /**
   * Sends an in-progress acknowledgement: the lease restarts for the consumer's `AckWait` (the
   * `leaseMs` of the last receive), whatever `leaseMs` says.
   */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
    if (!this.#leaseRunning(delivery, 'extend a lease')) return;
    await this.#answer(delivery, '+WPI', 'extend a lease');
    this.#receiver.leaseRenewed(delivery);
  }

  /** Sends a negative acknowledgement without delay: the message is delivered again at once. */
  release(delivery: Delivery): Promise<void> {
    try {
      if (!this.#leaseRunning(delivery, 'release')) return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.#answer(delivery, '-NAK', 'release');
  }

  /**
   * Whether an in-progress or negative acknowledgement may still be sent for the delivery: not
   * once its lease has run out, since JetStream answers them by message, not by delivery, and the
   * message may be with another consumer by then (it would extend that consumer's lease, or
   * hand the message out a second time while that consumer runs it).
   */
  #leaseRunning(delivery: Delivery, operation: string): boolean {
    this.#open(operation);
    this.#receiver.info(delivery, operation);
    return this.#receiver.leaseRunning(delivery);
  }

  /** `connected`, `reconnecting` (also before the first connection), or `failed` once closed or after `NatsClientMissingError`. */
  health(): TransportHealth {
    return this.#guard.closing ? 'failed' : this.#connection.health();
  }

  /**
   * Ends pending receives (they resolve with what they have), stops moving delayed messages and
   * drains the connection it opened (a connection given in the options stays open). Safe to call twice.
   */
  close(): Promise<void> {
    return this.#guard.close(async () => {
      this.#stop.abort();
      await this.#mover.stop();
      await this.#connection.close();
    });
  }

  #answer(delivery: Delivery, acknowledgement: Acknowledgement, operation: string): Promise<void> {
    try {
      this.#open(operation);
      this.#receiver.answer(delivery, acknowledgement, operation);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #ensureSetUp(operation: string): Promise<void> {
    this.#open(operation);
    if (!this.#ready) await this.setup();
  }

  /** A failed send or receive may mean a deleted stream or consumer: the next one sets up again. */
  async #watch<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.#ready = false;
      throw error;
    }
  }

  #open(operation: string): void {
    this.#guard.check(operation);
  }
}
