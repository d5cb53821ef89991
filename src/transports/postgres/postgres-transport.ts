import { randomUUID } from 'node:crypto';
import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from '../../transport/check-transport-input.js';
import { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth } from '../../transport/transport.js';
import { PostgresConnection, type PostgresClient, type Row, type Statement } from './connection.js';
import { PostgresDeadLetterStore } from './dead-letter-store.js';
import { PostgresDriverMissingError, transportError } from './errors.js';
import { NotifyListener } from './listener.js';
import { NotifyThrottle } from './notify-throttle.js';
import { numberOption, stringOption, type PostgresTransportOptions } from './options.js';
import { currentOutboxClient } from './outbox.js';
import { buildQueries, type PostgresQueries } from './queries.js';
import { encodeMessages, insertValues, parseReceipt, toDelivery, type EncodedMessages, type Receipt } from './rows.js';
import { postgresSchemaSql, resolveTables, type PostgresTables } from './schema.js';
import { WakeUps } from './wake-ups.js';
import { WriteBatcher } from './write-batcher.js';

/** Most messages one INSERT or one DELETE carries when concurrent writes are grouped. */
const MAX_BATCH = 1_000;

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
  readonly #queries: PostgresQueries;
  readonly #connection: PostgresConnection;
  readonly #pollIntervalMs: number;
  readonly #settleRetryMs: number;
  readonly #wakeUps = new WakeUps();
  readonly #listener: NotifyListener | undefined;
  readonly #notifier: NotifyThrottle | undefined;
  readonly #sends: WriteBatcher<EncodedMessages>;
  readonly #acks: WriteBatcher<Receipt>;
  #setup: Promise<void> | undefined;
  #health: TransportHealth = 'connected';
  #closed = false;
  #closing: Promise<void> | undefined;

  /** @throws {TypeError} naming the option, the rule and the value received. */
  constructor(options: PostgresTransportOptions = {}) {
    if (typeof options !== 'object' || (options as unknown) === null) {
      throw new TypeError(`PostgresTransport expects an options object; got ${options === null ? 'null' : typeof options}.`);
    }
    const owner = 'PostgresTransport';
    this.queue = stringOption(owner, 'queue', options.queue, 'default');
    this.name = stringOption(owner, 'name', options.name, `postgres:${this.queue}`);
    this.#tables = resolveTables(owner, options);
    if (options.durableLeases !== undefined && typeof options.durableLeases !== 'boolean') {
      throw new TypeError(`${owner} option "durableLeases" must be true or false; got ${typeof options.durableLeases}.`);
    }
    this.#queries = buildQueries(this.#tables, options.durableLeases ?? false);
    const { pool, connectionString } = options;
    if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function' || typeof pool.connect !== 'function')) {
      throw new TypeError(`${owner} option "pool" must be a pg.Pool (an object with query and connect methods); got ${pool === null ? 'null' : typeof pool}.`);
    }
    this.#connection = new PostgresConnection({
      owner: this.name,
      pool,
      connectionString: connectionString === undefined ? undefined : stringOption(owner, 'connectionString', connectionString, '', 10_000),
      maxConnections: numberOption(owner, 'maxConnections', options.maxConnections, 10, 1),
      connectTimeoutMs: numberOption(owner, 'connectTimeoutMs', options.connectTimeoutMs, 5_000, 1),
      queryTimeoutMs: numberOption(owner, 'queryTimeoutMs', options.queryTimeoutMs, 30_000, 1),
    });
    this.#pollIntervalMs = numberOption(owner, 'pollIntervalMs', options.pollIntervalMs, 250, 1);
    this.#settleRetryMs = numberOption(owner, 'settleRetryMs', options.settleRetryMs, 10_000, 0);
    const notifyIntervalMs = numberOption(owner, 'notifyIntervalMs', options.notifyIntervalMs, 20, 0);
    if (options.notify !== undefined && typeof options.notify !== 'boolean') {
      throw new TypeError(`${owner} option "notify" must be true or false; got ${typeof options.notify}.`);
    }
    if (options.notify ?? true) {
      const channel = this.#tables.table;
      const payload = `${this.#tables.schema}.${this.queue}`;
      this.#listener = new NotifyListener(this.#connection, channel, payload, () => {
        this.#wakeUps.wake();
      });
      this.#notifier = new NotifyThrottle(() => this.#connection.run({ text: 'SELECT pg_notify($1, $2)', values: [channel, payload] }), notifyIntervalMs);
    }
    this.#sends = new WriteBatcher((messages) => this.#insert(messages), MAX_BATCH);
    this.#acks = new WriteBatcher((receipts) => this.#delete(receipts), MAX_BATCH);
    this.deadLetters = new PostgresDeadLetterStore(this.name, this.queue, this.#queries, (operation, statement) => this.#run(operation, statement), () => {
      this.#woken();
    });
  }

  /**
   * Creates the schema, tables and indexes unless they exist (the SQL of `postgresSchemaSql`),
   * under an advisory lock so that processes starting together do not race. Leaves rows and
   * leases alone.
   */
  setup(): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportClosedError(this.name, 'set up'));
    this.#setup ??= this.#run('set up', { text: `SELECT pg_advisory_xact_lock(7384021, hashtext('${this.#tables.messages}'));\n${postgresSchemaSql(this.#tables)}`, values: [] }).then(
      () => undefined,
      (error: unknown) => {
        this.#setup = undefined;
        throw error;
      },
    );
    return this.#setup;
  }

  /**
   * Stores the messages with one multi-row INSERT and resolves after its COMMIT. Inside a
   * `withOutbox(client, ...)` scope it writes through that client instead (see {@link sendWith}).
   *
   * @throws {TypeError} for a malformed message (nothing is sent).
   * @throws {TransportUnavailableError} when the database cannot be reached (as a rejection).
   */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const outbox = currentOutboxClient();
    if (outbox !== undefined) return this.sendWith(outbox, messages);
    this.#checkOpen('send');
    checkOutgoingMessages(this.name, messages);
    if (messages.length === 0) return;
    await this.#sends.add(encodeMessages(this.name, messages), messages.length);
    this.#woken();
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
    this.#checkOpen('send');
    if (typeof client !== 'object' || client === null || typeof (client as Partial<PostgresClient>).query !== 'function') {
      throw new TypeError(`${this.name} sendWith() takes a pg client (an object with a query method) first; got ${client === null ? 'null' : typeof client}.`);
    }
    checkOutgoingMessages(this.name, messages);
    if (messages.length === 0) return;
    const values = [this.queue, ...insertValues([encodeMessages(this.name, messages)])];
    try {
      await client.query(this.#queries.insert, values);
    } catch (error) {
      throw transportError(this.name, 'send', error);
    }
  }

  /** Leases up to `max` due messages, waiting up to `waitMs` for the first one. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    const { max, leaseMs, waitMs, signal } = options;
    const deadline = Date.now() + waitMs;
    while (!this.#closed && signal?.aborted !== true) {
      const generation = this.#wakeUps.generation;
      let deliveries: Delivery[];
      try {
        deliveries = await this.#fetch(max, leaseMs);
      } catch (error) {
        if (this.#closed) return [];
        throw error;
      }
      if (deliveries.length > 0 || Date.now() >= deadline) return deliveries;
      this.#listener?.ensure();
      const due = await this.#nextDue().catch(() => Infinity);
      const waitMs = Math.min(deadline, due) - Date.now();
      await this.#wakeUps.wait(generation, Math.max(0, Math.min(waitMs, this.#pollIntervalMs)), signal);
    }
    return [];
  }

  /** Deletes the message, if this delivery still holds its lease. Concurrent acks share one DELETE. */
  async ack(delivery: Delivery): Promise<void> {
    this.#checkOpen('ack');
    await this.#acks.add(parseReceipt(this.name, 'ack', delivery));
  }

  /**
   * Updates the row in one statement: new headers, due after `delayMs`, no lease, delivery
   * count 0. NUL characters in the headers (PostgreSQL cannot store them) become U+FFFD.
   */
  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    this.#checkOpen('retry');
    checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
    const { rowId, token } = parseReceipt(this.name, 'retry', delivery);
    checkOutgoingMessages(this.name, [{ id: delivery.id, headers, body: new Uint8Array() }]);
    const stored = JSON.stringify(Object.fromEntries(Object.entries(headers).map(([name, value]) => [stripNul(name), stripNul(value)])));
    await this.#settle('retry', { name: this.#statementName('retry'), text: this.#queries.retry, values: [this.queue, rowId, token, stored, delayMs] });
    if (delayMs === 0) this.#woken();
  }

  /** Moves the row, with the headers and bytes it was delivered with, to the dead-letter table in one statement. */
  async deadLetter(delivery: Delivery, reason: DeadLetterReason): Promise<void> {
    this.#checkOpen('dead-letter');
    const { rowId, token } = parseReceipt(this.name, 'deadLetter', delivery);
    if (typeof reason !== 'object' || reason === null || typeof reason.code !== 'string' || typeof reason.message !== 'string') {
      throw new TypeError(`${this.name} deadLetter() takes a reason { code, message } of strings; got ${reason === null ? 'null' : typeof reason}.`);
    }
    await this.#settle('dead-letter', { text: this.#queries.deadLetter, values: [this.queue, rowId, token, stripNul(reason.code), stripNul(reason.message)] });
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    this.#checkOpen('extend a lease');
    checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
    const { rowId, token } = parseReceipt(this.name, 'extendLease', delivery);
    await this.#settle('extend a lease', { name: this.#statementName('extend'), text: this.#queries.extend, values: [this.queue, rowId, token, leaseMs] });
  }

  /** Clears the lease so the message is due at once, if this delivery still holds it. */
  async release(delivery: Delivery): Promise<void> {
    this.#checkOpen('release');
    const { rowId, token } = parseReceipt(this.name, 'release', delivery);
    await this.#settle('release', { name: this.#statementName('release'), text: this.#queries.release, values: [this.queue, rowId, token] });
    this.#woken();
  }

  /** `connected` after a statement succeeded, `reconnecting` after one could not reach the database, `failed` without the `pg` package. */
  health(): TransportHealth {
    return this.#health;
  }

  /**
   * Resolves pending receives with no deliveries, waits for grouped writes in progress, closes
   * the LISTEN connection and ends the pool the transport made (never one you gave it). Safe
   * to call twice.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#wakeUps.close();
    this.#listener?.close();
    this.#notifier?.close();
    await Promise.all([this.#sends.idle(), this.#acks.idle(), this.#setup?.catch(() => undefined)]);
    await this.#connection.end();
  }

  async #fetch(max: number, leaseMs: number): Promise<Delivery[]> {
    const token = randomUUID();
    const { rows } = await this.#run('receive', { name: this.#statementName('fetch'), text: this.#queries.fetch, values: [this.queue, max, leaseMs, token] });
    return rows.map((row: Row) => toDelivery(row, token));
  }

  /** When the next delayed message of the queue is due, in epoch milliseconds; `Infinity` for none. */
  async #nextDue(): Promise<number> {
    const { rows } = await this.#run('receive', { name: this.#statementName('due'), text: this.#queries.nextDue, values: [this.queue] });
    const due = rows[0]?.['due'];
    return typeof due === 'number' ? due : Infinity;
  }

  async #insert(sends: EncodedMessages[]): Promise<void> {
    await this.#run('send', { name: this.#statementName('insert'), text: this.#queries.insert, values: [this.queue, ...insertValues(sends)] });
  }

  async #delete(receipts: Receipt[]): Promise<void> {
    const ids = receipts.map((receipt) => receipt.rowId);
    const tokens = receipts.map((receipt) => receipt.token);
    await this.#settle('ack', { name: this.#statementName('ack'), text: this.#queries.ack, values: [this.queue, ids, tokens] });
  }

  /**
   * Runs an outcome (ack, retry, dead-letter, lease change), trying again while the database
   * cannot be reached, for up to `settleRetryMs`. Outcomes are guarded by the lease token, so
   * running one twice is harmless: after a reply lost with the connection, the second run finds
   * the first one's work done and changes nothing, and the worker learns the truth.
   */
  async #settle(operation: string, statement: Statement): Promise<void> {
    const giveUpAt = Date.now() + this.#settleRetryMs;
    for (let failures = 0; ; failures++) {
      try {
        await this.#run(operation, statement);
        return;
      } catch (error) {
        const waitMs = Math.min(1_000, 50 * 2 ** failures);
        if (!(error instanceof TransportUnavailableError) || this.#closed || Date.now() + waitMs > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /** Runs a statement on the pool, keeping `health` and mapping errors (see `transportError`). */
  async #run(operation: string, statement: Statement): Promise<{ readonly rows: Row[]; readonly rowCount: number | null }> {
    try {
      const result = await this.#connection.run(statement);
      this.#health = 'connected';
      return result;
    } catch (error) {
      const mapped = transportError(this.name, operation, error);
      if (mapped instanceof TransportUnavailableError) this.#health = 'reconnecting';
      else if (mapped instanceof PostgresDriverMissingError) this.#health = 'failed';
      throw mapped;
    }
  }

  /** Wakes receives here, and elsewhere through a throttled NOTIFY. */
  #woken(): void {
    this.#wakeUps.wake();
    this.#notifier?.request();
  }

  #statementName(kind: string): string {
    return `troopy_${kind}_${this.#queries.tag}`;
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new TransportClosedError(this.name, operation);
  }
}

/** PostgreSQL text cannot hold NUL; error texts are replaced rather than refused, so a retry or dead letter never fails on them. */
function stripNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}
