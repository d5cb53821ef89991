import type { DeadLetterReason, Delivery } from '../../transport/transport.js';
import { arrayLiteral } from './array-literal.js';
import type { Statement } from './connection.js';
import type { QueueStatements } from './statements.js';
import { headersColumn, parseReceipt, replaceNul, type Receipt } from './wire.js';
import { WriteBatcher } from './write-batcher.js';

/** Most acks one DELETE carries when concurrent acks are grouped. */
const MAX_BATCH = 1_000;

/** What {@link PostgresOutcomes} shares with its transport. */
export interface OutcomesHost extends QueueStatements {
  /** How long an outcome keeps trying while the database cannot be reached, in milliseconds. */
  readonly settleRetryMs: number;
  /** Whether the transport is closed (outcomes stop trying again). */
  closed(): boolean;
  /** Wakes receives here and elsewhere, after a message became due. */
  changed(): void;
}

/**
 * What a worker decides for a delivery, written to its row in one statement guarded by the
 * delivery's lease token: once another consumer holds the lease, a stale delivery's outcome
 * changes nothing and resolves quietly. Each is tried again for up to `settleRetryMs` while the
 * database cannot be reached (see `StatementRunner.settle`). Arguments are checked by the
 * transport; the receipt is read here.
 */
export class PostgresOutcomes {
  readonly #host: OutcomesHost;
  readonly #acks: WriteBatcher<Receipt>;

  constructor(host: OutcomesHost) {
    this.#host = host;
    this.#acks = new WriteBatcher((receipts) => this.#delete(receipts), MAX_BATCH);
  }

  /** Deletes the message if this delivery still holds its lease; concurrent acks share one DELETE. */
  ack(delivery: Delivery): Promise<void> {
    return this.#acks.add(parseReceipt(this.#host.name, 'ack', delivery));
  }

  /** Same row: new headers, due after `delayMs`, no lease, delivery count 0; NUL in headers becomes U+FFFD. */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    const { rowId, token } = parseReceipt(name, 'retry', delivery);
    await this.#settle('retry', runner.named('retry', queries.retry, [queue, rowId, token, headersColumn(headers), delayMs]));
    // Also after a delay: a waiting receive then learns when the message falls due.
    this.#host.changed();
  }

  /** Moves the row, with the bytes and the headers it was delivered with (or `headers`), to the dead-letter table in one statement. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    const { name, queue, queries } = this.#host;
    const { rowId, token } = parseReceipt(name, 'deadLetter', delivery);
    const stored = headers === undefined ? null : headersColumn(headers);
    await this.#settle('dead-letter', { text: queries.deadLetter, values: [queue, rowId, token, replaceNul(reason.code), replaceNul(reason.message), stored] });
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    const { rowId, token } = parseReceipt(name, 'extendLease', delivery);
    await this.#settle('extend a lease', runner.named('extend', queries.extend, [queue, rowId, token, leaseMs]));
  }

  /** Clears the lease so the message is due at once, if this delivery still holds it. */
  async release(delivery: Delivery): Promise<void> {
    const { name, queue, queries, runner } = this.#host;
    const { rowId, token } = parseReceipt(name, 'release', delivery);
    await this.#settle('release', runner.named('release', queries.release, [queue, rowId, token]));
    this.#host.changed();
  }

  /** Resolves once no grouped DELETE is pending. */
  idle(): Promise<void> {
    return this.#acks.idle();
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
