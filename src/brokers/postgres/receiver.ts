import { randomUUID } from 'node:crypto';
import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { describe } from '../../describe.js';
import type { DeadLetterReason, Delivery, ReceiveOptions } from '../../transport/transport.js';
import { arrayLiteral } from './array-literal.js';
import type { Statement } from './connection.js';
import type { NotifyListener } from './listener.js';
import { BUSY_POLL_MS, BUSY_WINDOW_MS } from './notify-throttle.js';
import type { PostgresQueries } from './queries.js';
import { parseReceipt, toDelivery, type Receipt } from './rows.js';
import type { StatementRunner } from './statements.js';
import type { WakeUps } from './wake-ups.js';
import { WriteBatcher } from './write-batcher.js';

/** Most acks one DELETE carries when concurrent acks are grouped. */
const MAX_BATCH = 1_000;

/** What a {@link PostgresReceiver} shares with its transport. */
export interface ReceiverHost {
  readonly name: string;
  readonly queue: string;
  readonly queries: PostgresQueries;
  readonly runner: StatementRunner;
  readonly wakeUps: WakeUps;
  readonly listener: NotifyListener | undefined;
  readonly pollIntervalMs: number;
  readonly settleRetryMs: number;
  /** Whether the transport is closed (receives end, outcomes stop retrying). */
  closed(): boolean;
  /** Wakes receives here and elsewhere, after a message became due. */
  woken(): void;
}

/**
 * The receiving half of a Postgres transport: leases rows with one statement, and writes each
 * delivery's outcome guarded by its lease token.
 */
export class PostgresReceiver {
  readonly #host: ReceiverHost;
  readonly #acks: WriteBatcher<Receipt>;
  #foundAt = -Infinity;

  constructor(host: ReceiverHost) {
    this.#host = host;
    this.#acks = new WriteBatcher((receipts) => this.#delete(receipts), MAX_BATCH);
  }

  /**
   * Leases up to `max` due messages, waiting up to `waitMs` for the first one. While it waits it
   * looks again every `pollIntervalMs`, every {@link BUSY_POLL_MS} if it found messages in the
   * last {@link BUSY_WINDOW_MS}, at the next delayed message's due time, and on each wake-up.
   */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    const host = this.#host;
    checkReceiveOptions(host.name, options);
    const { max, leaseMs, waitMs, signal } = options;
    const deadline = Date.now() + waitMs;
    while (!host.closed() && signal?.aborted !== true) {
      const generation = host.wakeUps.generation;
      let deliveries: Delivery[];
      try {
        deliveries = await this.#fetch(max, leaseMs);
      } catch (error) {
        if (host.closed()) return [];
        throw error;
      }
      const now = Date.now();
      if (deliveries.length > 0) this.#foundAt = now;
      if (deliveries.length > 0 || now >= deadline) return deliveries;
      host.listener?.ensure();
      // Busy: messages are flowing, and sends keep coming without a NOTIFY each (see NotifyThrottle).
      const busy = now - this.#foundAt < BUSY_WINDOW_MS;
      const pollMs = busy ? Math.min(BUSY_POLL_MS, host.pollIntervalMs) : host.pollIntervalMs;
      const due = busy ? Infinity : await this.#nextDue().catch(() => Infinity);
      const sleepMs = Math.min(deadline, due, Date.now() + pollMs) - Date.now();
      await host.wakeUps.wait(generation, Math.max(0, sleepMs), signal);
    }
    return [];
  }

  /** Deletes the message if this delivery still holds its lease; concurrent acks share one DELETE. */
  ack(delivery: Delivery): Promise<void> {
    return this.#acks.add(parseReceipt(this.#host.name, 'ack', delivery));
  }

  /** Same row: new headers, due after `delayMs`, no lease, delivery count 0; NUL in headers becomes U+FFFD. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    checkDuration(name, 'retry', 'delayMs', delayMs, 0);
    const { rowId, token } = parseReceipt(name, 'retry', delivery);
    checkOutgoingMessages(name, [{ id: delivery.id, headers, body: new Uint8Array() }]);
    const stored = JSON.stringify(Object.fromEntries(Object.entries(headers).map(([header, value]) => [replaceNul(header), replaceNul(value)])));
    await this.#settle('retry', runner.named('retry', queries.retry, [queue, rowId, token, stored, delayMs]));
    // Also after a delay: a waiting receive then learns when the message falls due.
    this.#host.woken();
  }

  /** Moves the row, with the bytes and the headers it was delivered with (or `headers`), to the dead-letter table in one statement. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    const { name, queue, queries } = this.#host;
    const { rowId, token } = parseReceipt(name, 'deadLetter', delivery);
    if (typeof reason !== 'object' || reason === null || typeof reason.code !== 'string' || typeof reason.message !== 'string') {
      throw new TypeError(`${name} deadLetter() takes a reason { code, message } of strings; got ${describe(reason)}.`);
    }
    if (headers !== undefined) checkOutgoingMessages(name, [{ id: delivery.id, headers, body: new Uint8Array() }]);
    const stored = headers === undefined ? null : JSON.stringify(Object.fromEntries(Object.entries(headers).map(([header, value]) => [replaceNul(header), replaceNul(value)])));
    await this.#settle('dead-letter', { text: queries.deadLetter, values: [queue, rowId, token, replaceNul(reason.code), replaceNul(reason.message), stored] });
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    checkDuration(name, 'extendLease', 'leaseMs', leaseMs, 1);
    const { rowId, token } = parseReceipt(name, 'extendLease', delivery);
    await this.#settle('extend a lease', runner.named('extend', queries.extend, [queue, rowId, token, leaseMs]));
  }

  /** Clears the lease so the message is due at once, if this delivery still holds it. */
  async release(delivery: Delivery): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    const { rowId, token } = parseReceipt(name, 'release', delivery);
    await this.#settle('release', runner.named('release', queries.release, [queue, rowId, token]));
    this.#host.woken();
  }

  /** Resolves once no grouped DELETE is pending. */
  idle(): Promise<void> {
    return this.#acks.idle();
  }

  async #fetch(max: number, leaseMs: number): Promise<Delivery[]> {
    const { queue, queries, runner } = this.#host;
    const token = randomUUID();
    const { rows } = await runner.run('receive', runner.named('fetch', queries.fetch, [queue, max, leaseMs, token]));
    return rows.map((row) => toDelivery(row, token));
  }

  /** When the next delayed message of the queue is due, in epoch milliseconds; `Infinity` for none. */
  async #nextDue(): Promise<number> {
    const { queue, queries, runner } = this.#host;
    const { rows } = await runner.run('receive', runner.named('due', queries.nextDue, [queue]));
    const due = rows[0]?.['due'];
    return typeof due === 'number' ? due : Infinity;
  }

  async #delete(receipts: Receipt[]): Promise<void> {
    const { queue, queries, runner } = this.#host;
    // Receipts were checked on the way in (parseReceipt): row ids are digits, tokens UUIDs.
    const ids = arrayLiteral(receipts.map((receipt) => receipt.rowId));
    const tokens = arrayLiteral(receipts.map((receipt) => receipt.token));
    await this.#settle('ack', runner.named('ack', queries.ack, [queue, ids, tokens]));
  }

  #settle(operation: string, statement: Statement): Promise<void> {
    const host = this.#host;
    return host.runner.settle(operation, statement, host.settleRetryMs, () => host.closed());
  }
}

/** PostgreSQL text cannot hold NUL; error texts are replaced rather than refused, so a retry or dead letter never fails on them. */
function replaceNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}
