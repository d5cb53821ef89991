import { ClosedGuard } from '../../transport/closed-guard.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { PostgresConnection, type PostgresClient } from './connection.js';
import { PostgresDeadLetterStore } from './dead-letter-store.js';
import { NotifyListener } from './listener.js';
import { NotifyThrottle } from './notify-throttle.js';
import type { PostgresTransportOptions } from './options.js';
import { currentOutboxClient } from './outbox.js';
import { buildQueries } from './queries.js';
import { PostgresReceiver } from './receiver.js';
import { resolvePostgresOptions } from './resolve-options.js';
import { postgresSchemaSql, type PostgresTables } from './schema.js';
import { PostgresSender } from './sender.js';
import { StatementRunner } from './statements.js';
import { WakeUps } from './wake-ups.js';

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
  readonly #tables: PostgresTables;
  readonly #connection: PostgresConnection;
  readonly #runner: StatementRunner;
  readonly #sender: PostgresSender;
  readonly #receiver: PostgresReceiver;
  readonly #wakeUps = new WakeUps();
  readonly #listener: NotifyListener | undefined;
  readonly #notifier: NotifyThrottle | undefined;
  readonly #guard: ClosedGuard;
  #setup: Promise<void> | undefined;

  /** @throws {TypeError} naming the option, the rule and the value received. */
  constructor(options: PostgresTransportOptions = {}) {
    const resolved = resolvePostgresOptions(options);
    const { name, queue, tables } = resolved;
    this.name = name;
    this.#guard = new ClosedGuard(name);
    this.queue = queue;
    this.#tables = tables;
    const queries = buildQueries(tables, resolved.durableLeases);
    this.#connection = new PostgresConnection(resolved.connection);
    this.#runner = new StatementRunner(this.#connection, name, queries.tag);
    if (resolved.notify) {
      const channel = tables.table;
      const payload = `${tables.schema}.${queue}`;
      this.#listener = new NotifyListener(this.#connection, channel, payload, () => {
        this.#wakeUps.wake();
      });
      // The NOTIFY's own transaction skips the disk flush, so it holds the database-wide notify lock only briefly.
      const notify = { text: `SELECT pg_notify($1, $2), set_config('synchronous_commit', 'off', true)`, values: [channel, payload] };
      this.#notifier = new NotifyThrottle(() => this.#connection.run(notify), resolved.notifyIntervalMs);
    }
    const sent = (): void => {
      this.#wakeUps.wake();
      this.#notifier?.sent();
    };
    const woken = (): void => {
      this.#wakeUps.wake();
      this.#notifier?.changed();
    };
    this.#sender = new PostgresSender(name, queue, queries, this.#runner, sent);
    const runner = this.#runner;
    this.#receiver = new PostgresReceiver({
      name,
      queue,
      queries,
      runner,
      wakeUps: this.#wakeUps,
      listener: this.#listener,
      pollIntervalMs: resolved.pollIntervalMs,
      settleRetryMs: resolved.settleRetryMs,
      closed: () => this.#guard.closing,
      woken,
    });
    this.deadLetters = new PostgresDeadLetterStore(name, queue, queries, (operation, statement) => runner.run(operation, statement), woken);
  }

  /**
   * Creates the schema, tables and indexes unless they exist (the SQL of `postgresSchemaSql`),
   * under an advisory lock so that processes starting together do not race. Leaves rows and
   * leases alone.
   */
  async setup(): Promise<void> {
    this.#guard.check('set up');
    const text = `SELECT pg_advisory_xact_lock(7384021, hashtext('${this.#tables.messages}'));\n${postgresSchemaSql(this.#tables)}`;
    this.#setup ??= this.#runner.run('set up', { text, values: [] }).then(
      () => undefined,
      (error: unknown) => {
        this.#setup = undefined;
        throw error;
      },
    );
    return this.#setup;
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
    return this.#sender.sendWith(client, messages);
  }

  /** Leases up to `max` due messages, waiting up to `waitMs` for the first one. */
  receive(options: ReceiveOptions): Promise<Delivery[]> {
    return this.#receiver.receive(options);
  }

  /** Deletes the message, if this delivery still holds its lease. Concurrent acks share one DELETE. */
  async ack(delivery: Delivery): Promise<void> {
    this.#guard.check('ack');
    return this.#receiver.ack(delivery);
  }

  /**
   * Updates the row in one statement: new headers, due after `delayMs`, no lease, delivery
   * count 0. NUL characters in the headers (PostgreSQL cannot store them) become U+FFFD.
   */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('retry');
    return this.#receiver.retry(delivery, delayMs, headers);
  }

  /** Moves the row, with the bytes and the headers it was delivered with (or `headers`), to the dead-letter table in one statement. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    this.#guard.check('dead-letter');
    return this.#receiver.deadLetter(delivery, reason, headers);
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    this.#guard.check('extend a lease');
    return this.#receiver.extendLease(delivery, leaseMs);
  }

  /** Clears the lease so the message is due at once, if this delivery still holds it. */
  async release(delivery: Delivery): Promise<void> {
    this.#guard.check('release');
    return this.#receiver.release(delivery);
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
    return this.#guard.close(() => this.#close());
  }

  async #close(): Promise<void> {
    this.#wakeUps.close();
    this.#listener?.close();
    this.#notifier?.close();
    await Promise.all([this.#sender.idle(), this.#receiver.idle(), this.#setup?.catch(() => undefined)]);
    await this.#connection.end();
  }
}
