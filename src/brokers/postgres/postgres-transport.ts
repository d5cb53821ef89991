import { describe } from '../../describe.js';
import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { ClosedGuard } from '../../transport/closed-guard.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { isPostgresClient, PostgresConnection, type PostgresClient } from './connection.js';
import { PostgresDeadLetterStore } from './dead-letter-store.js';
import { resolvePostgresOptions, type PostgresTransportOptions } from './options.js';
import { PostgresOutcomes } from './outcomes.js';
import { currentOutboxClient } from './outbox.js';
import { buildQueries } from './queries.js';
import { PostgresReceiver } from './receiver.js';
import { PostgresSender } from './sender.js';
import { PostgresSetup } from './setup.js';
import { StatementRunner } from './statements.js';
import { QueueWakeUps } from './wake-ups.js';

/**
 * A {@link Transport} on a PostgreSQL table, fetched with `FOR UPDATE SKIP LOCKED`: the
 * queue survives restarts, sends are durable at COMMIT, and a send made through your own
 * client inside your transaction is a transactional outbox (see `sendWith` and `withOutbox`).
 *
 * How it keeps the contract:
 * - `send` resolves after the COMMIT of one multi-row INSERT. Concurrent sends share one
 *   INSERT (group commit). On an outage it rejects with `TransportUnavailableError`.
 * - `receive` leases rows in one statement: it picks due rows with `FOR UPDATE SKIP LOCKED`
 *   (no row goes to two consumers) and sets `lease_until`, a fresh `lease_token` and
 *   `delivery_count + 1`. A row whose lease has passed is due again.
 * - `ack`, `retry`, `deadLetter`, `extendLease` and `release` act only while the row still
 *   carries the delivery's lease token. Once another consumer has leased the message, a stale
 *   delivery's calls change nothing (the new holder decides), and they resolve quietly. Being
 *   idempotent, they are tried again for up to `settleRetryMs` while the database is down.
 * - `retry` updates the same row (headers, `not_before`, no lease, delivery count back to 0);
 *   `deadLetter` moves the row to the dead-letter table in one statement.
 * - Waiting receives poll every `pollIntervalMs`, or sooner when a delayed message falls due,
 *   and are woken early by sends in this process and, with `notify`, by a NOTIFY (throttled,
 *   never inside the INSERT's transaction).
 *
 * @example
 * ```ts
 * import { PostgresTransport } from 'troopy/postgres';
 *
 * const transport = new PostgresTransport({ connectionString: process.env.DATABASE_URL, queue: 'emails' });
 * await transport.setup();
 * const sender = new Sender({ routes: [[SendEmail, transport]] });
 * await sender.send(new SendEmail('tom@example.com'));
 * ```
 */
export class PostgresTransport implements Transport {
  /** The name given in the options, `postgres:<queue>` by default. */
  readonly name: string;
  /** The queue's name in the tables. */
  readonly queue: string;
  /** The dead letters of this queue. */
  readonly deadLetters: PostgresDeadLetterStore;
  readonly #guard: ClosedGuard;
  readonly #connection: PostgresConnection;
  readonly #runner: StatementRunner;
  readonly #wakeUps: QueueWakeUps;
  readonly #setup: PostgresSetup;
  readonly #sender: PostgresSender;
  readonly #receiver: PostgresReceiver;
  readonly #outcomes: PostgresOutcomes;

  /** @throws {TypeError} naming the option, the rule and the value received. */
  constructor(options: PostgresTransportOptions = {}) {
    const resolved = resolvePostgresOptions(options);
    const { name, queue, tables } = resolved;
    this.name = name;
    this.queue = queue;
    this.#guard = new ClosedGuard(name);
    const queries = buildQueries(tables, resolved.durableLeases);
    const connection = (this.#connection = new PostgresConnection(resolved.connection));
    const runner = (this.#runner = new StatementRunner(connection, name, queries.tag));
    const wakeUps = (this.#wakeUps = new QueueWakeUps(connection, tables, queue, resolved));
    const statements = { name, queue, queries, runner };
    const closed = (): boolean => this.#guard.closing;
    const changed = (): void => {
      wakeUps.changed();
    };
    this.#setup = new PostgresSetup(runner, tables);
    this.#sender = new PostgresSender(statements, () => {
      wakeUps.sent();
    });
    this.#receiver = new PostgresReceiver({ ...statements, wakeUps, pollIntervalMs: resolved.pollIntervalMs, closed });
    this.#outcomes = new PostgresOutcomes({ ...statements, settleRetryMs: resolved.settleRetryMs, closed, changed });
    this.deadLetters = new PostgresDeadLetterStore(name, queue, queries, (operation, statement) => runner.run(operation, statement), changed);
  }

  /**
   * Creates the schema, tables and indexes unless they exist (the SQL of `postgresSchemaSql`),
   * under an advisory lock so that processes starting together do not race. Leaves rows and
   * leases alone.
   */
  async setup(): Promise<void> {
    this.#guard.check('set up');
    return this.#setup.run();
  }

  /**
   * Stores the messages with one multi-row INSERT and resolves after its COMMIT; concurrent
   * sends share one INSERT. Inside a `withOutbox(client, ...)` scope it writes through that
   * client instead (see {@link sendWith}).
   *
   * @throws {TypeError} for a malformed message (nothing is sent).
   * @throws {TransportUnavailableError} when the database cannot be reached (as a rejection).
   */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const outbox = currentOutboxClient();
    if (outbox !== undefined) return this.sendWith(outbox, messages);
    this.#guard.check('send');
    checkOutgoingMessages(this.name, messages);
    return this.#sender.send(messages);
  }

  /**
   * Stores the messages with one INSERT through your own client, in its current transaction:
   * the transactional outbox. They exist if and only if that transaction commits. Resolves once
   * the INSERT ran (not committed: your COMMIT does that). Consumers find the rows at their next
   * poll after the commit.
   *
   * @param client a `pg` client (or pool) reaching the database of this transport's tables.
   * @throws {TypeError} for a malformed message or client (nothing is sent).
   */
  async sendWith(client: PostgresClient, messages: readonly OutgoingMessage[]): Promise<void> {
    this.#guard.check('send');
    if (!isPostgresClient(client))
      throw new TypeError(`${this.name} sendWith() takes a pg client (an object with a query method) first; got ${describe(client)}.`);
    checkOutgoingMessages(this.name, messages);
    return this.#sender.sendWith(client, messages);
  }

  /** Leases up to `max` due messages, waiting up to `waitMs` for the first one. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    return this.#receiver.receive(options);
  }

  /** Deletes the message, if this delivery still holds its lease. Concurrent acks share one DELETE. */
  async ack(delivery: Delivery): Promise<void> {
    this.#guard.check('ack');
    return this.#outcomes.ack(delivery);
  }

  /**
   * Updates the row in one statement: new headers, due after `delayMs`, no lease, delivery
   * count 0. NUL characters in the headers (PostgreSQL cannot store them) become U+FFFD.
   */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    checkHeaders(this.name, headers);
    return this.#outcomes.retry(delivery, delayMs, headers);
  }

  /** Moves the row, with the bytes and the headers it was delivered with (or `headers`), to the dead-letter table in one statement. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('dead-letter');
    const { code, message } = (typeof reason === 'object' && reason !== null ? reason : {}) as Partial<DeadLetterReason>;
    if (typeof code !== 'string' || typeof message !== 'string') {
      throw new TypeError(`${this.name} deadLetter() takes a reason { code, message } of strings; got ${describe(reason)}.`);
    }
    if (headers !== undefined) checkHeaders(this.name, headers);
    return this.#outcomes.deadLetter(delivery, reason, headers);
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    this.#guard.check('extend a lease');
    checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
    return this.#outcomes.extendLease(delivery, leaseMs);
  }

  /** Clears the lease so the message is due at once, if this delivery still holds it. */
  async release(delivery: Delivery): Promise<void> {
    this.#guard.check('release');
    return this.#outcomes.release(delivery);
  }

  /** `connected` after a statement succeeded, `reconnecting` after one could not reach the database, `failed` without the `pg` package. */
  health(): TransportHealth {
    return this.#runner.health;
  }

  /**
   * Resolves pending receives with no deliveries, waits for grouped writes in progress, closes
   * the LISTEN connection and ends the pool the transport made (never one you gave it). Safe
   * to call twice.
   */
  close(): Promise<void> {
    return this.#guard.close(async () => {
      this.#wakeUps.close();
      await Promise.all([this.#sender.idle(), this.#outcomes.idle(), this.#setup.idle()]);
      await this.#connection.end();
    });
  }
}

/** Checks the headers given to `retry` or `deadLetter` as `send` checks a message's (the message reads "send(): message 0 ..."). */
function checkHeaders(transport: string, headers: Readonly<Record<string, string>>): void {
  checkOutgoingMessages(transport, [{ id: 'headers', headers, body: EMPTY }]);
}

const EMPTY = new Uint8Array();
