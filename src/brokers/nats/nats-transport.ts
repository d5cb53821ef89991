import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { NatsConnection } from './connection.js';
import { ConsumerLease } from './consumer-lease.js';
import { NatsDeadLetterStore } from './dead-letter-store.js';
import { DelayedMessageMover } from './delayed-mover.js';
import { resolveNatsOptions, type NatsTransportOptions } from './options.js';
import { NatsOutcomes } from './outcomes.js';
import { NatsReceiver } from './receiver.js';
import { NatsSender } from './sender.js';
import { NatsSetup } from './setup.js';

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
  readonly #guard: ClosedGuard;
  readonly #connection: NatsConnection;
  readonly #setup: NatsSetup;
  readonly #sender: NatsSender;
  readonly #receiver: NatsReceiver;
  readonly #outcomes: NatsOutcomes;

  /** @throws {TypeError} naming the option, the rule and the value received. */
  constructor(options: NatsTransportOptions = {}) {
    const resolved = resolveNatsOptions(options);
    this.name = `nats:${resolved.names.stream}`;
    this.leaseMs = resolved.leaseMs;
    this.#guard = new ClosedGuard(this.name);
    this.#connection = new NatsConnection(resolved, this.name);
    const lease = new ConsumerLease(this.#connection, resolved);
    this.#setup = new NatsSetup(this.#connection, this.name, resolved, lease);
    this.#sender = new NatsSender(this.#connection, resolved.names, this.#setup);
    const mover = new DelayedMessageMover(this.#connection, resolved, this.name);
    this.#receiver = new NatsReceiver(this.#connection, resolved, this.name, { setup: this.#setup, lease, mover });
    this.#outcomes = new NatsOutcomes(this.#connection, resolved.names, lease, this.name);
    this.deadLetters = new NatsDeadLetterStore(this.name, this.#connection, resolved.names, async () => {
      this.#guard.check('read dead letters');
      await this.#setup.ensure();
    });
  }

  /** Creates or updates the streams and consumers (see `setUpJetStream`); idempotent, and concurrent calls share one run. */
  async setup(): Promise<void> {
    this.#guard.check('set up');
    await this.#setup.run();
  }

  /** Publishes the messages and resolves once JetStream acknowledged all of them. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.#guard.check('send');
    checkOutgoingMessages(this.name, messages);
    await this.#sender.send(messages);
  }

  /** Leases up to `max` deliveries, waiting up to `waitMs` for the first; starts moving due delayed messages. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    if (this.#guard.closing) return [];
    return this.#receiver.receive(options);
  }

  /** Acknowledges the delivery: the stream deletes the message. */
  ack(delivery: Delivery): Promise<void> {
    // Not async: one promise per ack, the outcome's own; a closed transport's refusal is a rejected promise too.
    return this.#guard.refusal('ack') ?? this.#outcomes.ack(delivery);
  }

  /** Publishes a copy with `headers` and the same body, due in `delayMs`, then acknowledges the delivery. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    await this.#outcomes.retry(delivery, delayMs, headers);
  }

  /** Publishes the message with its headers (or `replacement`), bytes and `reason` to the dead-letter stream, then terminates the delivery. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, replacement?: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('dead-letter');
    await this.#outcomes.deadLetter(delivery, reason, replacement);
  }

  /**
   * Sends an in-progress acknowledgement: the lease restarts for the consumer's `AckWait` (the
   * `leaseMs` of the last receive), whatever `leaseMs` says; nothing once the lease ran out.
   */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
    this.#guard.check('extend a lease');
    await this.#outcomes.extendLease(delivery);
  }

  /** Sends a negative acknowledgement without delay: the message is delivered again at once; nothing once the lease ran out. */
  async release(delivery: Delivery): Promise<void> {
    this.#guard.check('release');
    await this.#outcomes.release(delivery);
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
      await this.#receiver.close();
      await this.#connection.close();
    });
  }
}
