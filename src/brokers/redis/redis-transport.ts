import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { RedisConnection } from './connection.js';
import { RedisDeadLetterStore } from './dead-letter-store.js';
import { RedisDelayedMessages } from './delayed.js';
import { resolveRedisOptions, type RedisTransportOptions, type ResolvedRedisOptions } from './options.js';
import { RedisOutcomes } from './outcomes.js';
import { RedisReceiver } from './receiver.js';
import { RedisSender } from './sender.js';
import { createStreamAndGroup } from './setup.js';

/**
 * A {@link Transport} on Redis Streams (Redis 6.2 or newer), with ioredis as the client.
 *
 * The queue is a stream read by one consumer group; each process is its own consumer. A lease
 * is an entry's idle time in the group's pending list: a receive reclaims entries idle for
 * longer than its `leaseMs` (XAUTOCLAIM), which counts the delivery, so all consumers of a
 * group should receive with the same `leaseMs`; `extendLease` renews up to that lease.
 * `release` marks the entry as long idle, so the next receive by any consumer takes it back,
 * delivery count included. `retry` and `deadLetter` settle the entry and requeue or
 * dead-letter the message in one Lua script. Acked entries are trimmed from the stream's head
 * (XTRIM MINID below the oldest pending entry), never by length.
 * Delayed messages wait in a sorted set and are moved by receives when due.
 *
 * Sends fail fast while Redis is unreachable (`TransportUnavailableError`); both connections
 * reconnect with capped backoff, and `health()` follows them.
 *
 * @example
 * ```ts
 * import { RedisTransport } from 'troopy/redis';
 *
 * const transport = new RedisTransport({ url: process.env.REDIS_URL, stream: 'billing:commands' });
 * await transport.setup();
 * ```
 */
export class RedisTransport implements Transport {
  /** `redis:` followed by the stream key. */
  readonly name: string;
  /** The dead letters: a stream beside the queue, with an index by message id. */
  readonly deadLetters: RedisDeadLetterStore;
  /** This process's consumer name in the group. */
  readonly consumer: string;
  readonly #options: ResolvedRedisOptions;
  readonly #connection: RedisConnection;
  readonly #sender: RedisSender;
  readonly #receiver: RedisReceiver;
  readonly #outcomes: RedisOutcomes;
  readonly #guard: ClosedGuard;

  /** @throws {TypeError} naming the option, for an invalid option. */
  constructor(options: RedisTransportOptions = {}) {
    this.#options = resolveRedisOptions(options);
    this.name = `redis:${this.#options.stream}`;
    this.consumer = this.#options.consumer;
    this.#guard = new ClosedGuard(this.name);
    this.#connection = new RedisConnection(this.#options, this.name);
    const delayed = new RedisDelayedMessages(this.#connection, this.#options.delayedKey, this.#options.stream);
    this.#sender = new RedisSender(this.#connection, this.#options.stream, delayed);
    this.#receiver = new RedisReceiver(this.#connection, this.#options, delayed, () => this.setup());
    this.#outcomes = new RedisOutcomes(this.#connection, this.#options);
    this.deadLetters = new RedisDeadLetterStore(this.#connection, this.#options);
  }

  /** Creates the stream and the consumer group (reading from the start) unless they exist. */
  async setup(): Promise<void> {
    this.#guard.check('set up');
    await createStreamAndGroup(this.#connection, this.#options);
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.#guard.check('send');
    checkOutgoingMessages(this.name, messages);
    await this.#sender.send(messages);
  }

  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    if (this.#guard.closing) return [];
    return this.#receiver.receive(options);
  }

  ack(delivery: Delivery): Promise<void> {
    // Not async: one promise per ack, the one settled when its coalesced XACK answers; a closed transport's refusal is a rejected promise too.
    return this.#guard.refusal('ack') ?? this.#outcomes.ack(delivery);
  }

  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    await this.#outcomes.retry(delivery, delayMs, headers);
  }

  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('dead-letter');
    await this.#outcomes.deadLetter(delivery, reason, headers);
  }

  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    this.#guard.check('extend a lease');
    checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
    await this.#outcomes.extendLease(delivery, leaseMs);
  }

  async release(delivery: Delivery): Promise<void> {
    this.#guard.check('release');
    await this.#outcomes.release(delivery);
  }

  health(): TransportHealth {
    return this.#connection.health();
  }

  /** Ends pending receives, leaves the group if this consumer holds nothing, closes the connections. */
  close(): Promise<void> {
    return this.#guard.close(async () => {
      this.#outcomes.close();
      await this.#receiver.close();
      await this.#connection.close();
    });
  }
}
