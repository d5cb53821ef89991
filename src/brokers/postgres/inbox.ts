import type { DispatchContext } from '../../context.js';
import { isPostgresClient, type PostgresClient } from './connection.js';
import { numberRuleText, stringOption } from '../../check-option.js';
import { describe } from '../../describe.js';
import { TABLE_NAME_RULE } from './options.js';

/** Options of {@link PostgresInbox}. */
export interface PostgresInboxOptions {
  /**
   * The schema holding the inbox table.
   * @default 'public'
   */
  readonly schema?: string | undefined;
  /**
   * The inbox table: one row per (handler, message id) handled.
   * @default 'troopy_inbox'
   */
  readonly table?: string | undefined;
}

/** Thrown (as a rejection) by {@link PostgresInbox.once} when the client is not inside a transaction. */
export class InboxTransactionError extends Error {
  override name = 'InboxTransactionError';

  constructor(handler: string, messageId: string) {
    super(
      `inbox.once("${handler}", "${messageId}") needs a client inside a transaction, but the client is idle. ` +
        "Run client.query('BEGIN') first and COMMIT after, so the inbox row and the side effects commit together.",
    );
  }
}

/**
 * The inbox: an opt-in that makes a handler's side effects happen once per message, even when
 * the message is delivered again (after a crash between the handler's COMMIT and the ack, or
 * after a lease ran out while the handler was still running).
 *
 * {@link once} records (handler, message id) in the caller's transaction and runs the side
 * effects only if the row was new. Because the row commits or rolls back with the side
 * effects, a redelivered message finds it and skips them; a failed attempt leaves no row and
 * is retried in full. Two deliveries running at once serialise on the row: the second waits
 * for the first to commit, then skips.
 *
 * @example
 * ```ts
 * const inbox = new PostgresInbox();
 * await inbox.setup(pool);
 *
 * bus.attach(ChargeCard, async (command, context) => {
 *   const client = await pool.connect();
 *   try {
 *     await client.query('BEGIN');
 *     await inbox.once(client, 'charge-card', context, async () => {
 *       await client.query('INSERT INTO charges (order_id, cents) VALUES ($1, $2)', [command.orderId, command.cents]);
 *     });
 *     await client.query('COMMIT');
 *   } catch (error) {
 *     await client.query('ROLLBACK');
 *     throw error;
 *   } finally {
 *     client.release();
 *   }
 * });
 * ```
 */
export class PostgresInbox {
  /** The quoted table name, `"schema"."table"`. */
  readonly table: string;
  readonly #schema: string;
  readonly #bare: string;
  readonly #insert: string;
  readonly #prune: string;

  /** @throws {TypeError} when a name is not letters, digits and underscores. */
  constructor(options: PostgresInboxOptions = {}) {
    this.#schema = stringOption('PostgresInbox', 'schema', options.schema, 'public', TABLE_NAME_RULE);
    this.#bare = stringOption('PostgresInbox', 'table', options.table, 'troopy_inbox', TABLE_NAME_RULE);
    this.table = `"${this.#schema}"."${this.#bare}"`;
    this.#insert = `INSERT INTO ${this.table} (handler, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
    this.#prune = `DELETE FROM ${this.table} WHERE handled_at < now() - $1 * interval '1 millisecond'`;
  }

  /** The SQL that creates the inbox table, for teams that run migrations themselves; idempotent. */
  sql(): string {
    const createSchema = this.#schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS "${this.#schema}";\n\n`;
    return `${createSchema}CREATE TABLE IF NOT EXISTS ${this.table} (
  handler    text        NOT NULL,
  message_id text        NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (handler, message_id)
);

CREATE INDEX IF NOT EXISTS "${this.#bare}_handled_idx" ON ${this.table} (handled_at);
`;
  }

  /** Creates the inbox table unless it exists (runs {@link sql}); safe to call from several processes at once. */
  async setup(client: PostgresClient): Promise<void> {
    checkClient('setup', client);
    await client.query(`SELECT pg_advisory_xact_lock(7384021, hashtext('${this.table}'));\n${this.sql()}`);
  }

  /**
   * Runs `fn` unless `handler` already handled this message, and records that it did, in the
   * client's current transaction. Resolves with `true` when `fn` ran, `false` when it was
   * skipped. An error of `fn` rejects as it is (roll back; the message is retried in full).
   *
   * @param client a client inside a transaction (after BEGIN); `fn` should write through it.
   * @param handler a stable name for this handler; each handler of a message is recorded apart.
   * @param message the message id, or the handler's `DispatchContext` (its `messageId`).
   * @throws {TypeError} when `handler` is empty or there is no message id.
   * @throws {InboxTransactionError} when the client reports that no transaction is open.
   */
  async once(client: PostgresClient, handler: string, message: string | DispatchContext | undefined, fn: () => unknown): Promise<boolean> {
    checkClient('once', client);
    if (typeof handler !== 'string' || handler === '') throw new TypeError(`inbox.once() needs a handler name, a non-empty string; got ${describe(handler)}.`);
    const messageId = typeof message === 'string' ? message : message?.messageId;
    if (typeof messageId !== 'string' || messageId === '') {
      throw new TypeError(
        `inbox.once("${handler}") needs the message id: pass the handler's context (set by the worker) or the id itself; got ${describe(message)}.`,
      );
    }
    if (typeof fn !== 'function') throw new TypeError(`inbox.once("${handler}") takes a function to run once; got ${describe(fn)}.`);
    const status = (client as { getTransactionStatus?: (() => string | null) | undefined }).getTransactionStatus?.();
    if (status === 'I') throw new InboxTransactionError(handler, messageId);
    const { rowCount } = await client.query(this.#insert, [handler, messageId]);
    if (rowCount === 0) return false;
    await fn();
    return true;
  }

  /** Deletes records older than `olderThanMs`; returns how many. Keep them longer than a message can be redelivered. */
  async prune(client: PostgresClient, olderThanMs: number): Promise<number> {
    checkClient('prune', client);
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new TypeError(`inbox.prune() takes "olderThanMs", ${numberRuleText({ min: 0 })}; got ${describe(olderThanMs)}.`);
    }
    const { rowCount } = await client.query(this.#prune, [olderThanMs]);
    return rowCount ?? 0;
  }
}

function checkClient(call: string, client: unknown): void {
  if (!isPostgresClient(client)) {
    throw new TypeError(`inbox.${call}() takes a pg client or pool (an object with a query method); got ${describe(client)}.`);
  }
}
