import { booleanOption, invalidOption, numberOption, objectOption, stringOption, type StringRule } from '../../check-option.js';
import type { ConnectionSettings, PostgresPool } from './connection.js';

/** Where the tables live, shared by {@link PostgresTransportOptions} and `postgresSchemaSql`. */
export interface PostgresTableOptions {
  /**
   * The schema holding the tables. Created by `setup()` when missing.
   * @default 'public'
   */
  readonly schema?: string | undefined;
  /**
   * The queue table; one table serves every queue (rows carry their queue's name).
   * @default 'troopy_messages'
   */
  readonly table?: string | undefined;
  /**
   * The dead-letter table; one table serves every queue.
   * @default 'troopy_dead_letters'
   */
  readonly deadLetterTable?: string | undefined;
}

/** Options of `PostgresTransport`. */
export interface PostgresTransportOptions extends PostgresTableOptions {
  /**
   * The queue's name: the rows of this transport are those with this name. Transports with
   * the same queue on the same table compete for its messages.
   * @default 'default'
   */
  readonly queue?: string | undefined;
  /**
   * The transport's name in logs and errors.
   * @default `postgres:${queue}`
   */
  readonly name?: string | undefined;
  /**
   * A connection string such as `postgres://user:pass@host:5432/db`. Without it (and without
   * `pool`), `pg` reads the `PG*` environment variables.
   * @default undefined
   */
  readonly connectionString?: string | undefined;
  /**
   * Your own `pg.Pool`, used instead of one made by the transport. The transport never ends it,
   * and takes one client from it for LISTEN while a receive waits (unless `notify` is false).
   * @default undefined (the transport makes its own pool)
   */
  readonly pool?: PostgresPool | undefined;
  /**
   * Most connections of the pool the transport makes (ignored with `pool`).
   * @default 10
   */
  readonly maxConnections?: number | undefined;
  /**
   * How long to wait for a connection before an operation rejects with
   * `TransportUnavailableError`, in milliseconds (ignored with `pool`).
   * @default 5_000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * How long one statement may take before it rejects with `TransportUnavailableError`, in
   * milliseconds (ignored with `pool`). Guards against a half-open connection.
   * @default 30_000
   */
  readonly queryTimeoutMs?: number | undefined;
  /**
   * How long `ack`, `retry`, `deadLetter`, `extendLease` and `release` keep trying while the
   * database cannot be reached, in milliseconds, before they reject. Each is guarded by the
   * lease token, so trying again after a reply lost with the connection changes nothing twice.
   * @default 10_000
   */
  readonly settleRetryMs?: number | undefined;
  /**
   * How often a waiting `receive` looks at the table again, in milliseconds. Polling alone is
   * correct; it is what finds delayed messages, expired leases and messages sent through your
   * own client, and what wakes receives when `notify` is off or the LISTEN connection is down.
   * A receive that found messages in the last 500 ms looks every 10 ms instead (or every
   * `pollIntervalMs` if shorter): while messages flow, sends do not NOTIFY (see `notify`).
   * @default 250
   */
  readonly pollIntervalMs?: number | undefined;
  /**
   * Make leases (receive, extendLease, release) and acks wait for their commit to reach the
   * disk. By default they commit without waiting for the flush (`synchronous_commit` off for
   * those transactions only), which makes them several times cheaper: a database crash can then
   * forget the last few, and the only effect is that those messages are delivered again
   * (at least once still holds). Sends, retries and dead letters always wait for the flush.
   * @default false
   */
  readonly durableLeases?: boolean | undefined;
  /**
   * Wake waiting receives in other processes with LISTEN/NOTIFY. A send that starts a burst (no
   * send from this transport in the last 50 ms) notifies at once; while sends keep coming, at
   * most one NOTIFY per 50 ms follows, since the receives that have been finding messages in the
   * last 500 ms look at the table every 10 ms anyway. Retries, releases and redrives notify at
   * once. A NOTIFY is never inside the INSERT's transaction: it is sent after
   * the commit, in a transaction of its own that skips the disk flush (a NOTIFY holds a
   * database-wide lock until its commit is done, so notifying from every INSERT would make those
   * commits wait on each other). Receives in this process are woken directly either way.
   * @default true
   */
  readonly notify?: boolean | undefined;
  /**
   * The shortest gap between two NOTIFYs from this transport, in milliseconds: at most
   * 1,000 / `notifyIntervalMs` NOTIFYs per second. A send waits for no NOTIFY; an idle receive
   * in another process wakes at most this long after the commit of a send that starts a burst,
   * and at most 50 ms after a later send of the burst.
   * @default 5
   */
  readonly notifyIntervalMs?: number | undefined;
}

/** The longest identifier PostgreSQL keeps, less room for the index-name suffixes. */
const MAX_TABLE_NAME = 50;

/** The rule of a schema or table name, for the shared `stringOption`: safe to quote into SQL. */
export const TABLE_NAME_RULE: StringRule = {
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  maxLength: MAX_TABLE_NAME,
  rule: `a name of letters, digits and underscores, not starting with a digit, at most ${MAX_TABLE_NAME} characters`,
};

/** The checked names of a transport's tables, bare and quoted. */
export interface PostgresTables {
  readonly schema: string;
  readonly table: string;
  readonly deadLetterTable: string;
  /** `"schema"."table"`, ready for SQL. */
  readonly messages: string;
  /** `"schema"."dead_letter_table"`, ready for SQL. */
  readonly deadLetters: string;
}

/**
 * Checks the table options and fills in the defaults.
 *
 * @throws {TypeError} when a name is not letters, digits and underscores.
 */
export function resolveTables(owner: string, options: PostgresTableOptions = {}): PostgresTables {
  const schema = stringOption(owner, 'schema', options.schema, 'public', TABLE_NAME_RULE);
  const table = stringOption(owner, 'table', options.table, 'troopy_messages', TABLE_NAME_RULE);
  const deadLetterTable = stringOption(owner, 'deadLetterTable', options.deadLetterTable, 'troopy_dead_letters', TABLE_NAME_RULE);
  if (table === deadLetterTable) {
    throw new TypeError(`${owner} options "table" and "deadLetterTable" must differ; both are "${table}".`);
  }
  return { schema, table, deadLetterTable, messages: `"${schema}"."${table}"`, deadLetters: `"${schema}"."${deadLetterTable}"` };
}

/** {@link PostgresTransportOptions} checked, with every default filled in. */
export interface ResolvedPostgresOptions {
  readonly queue: string;
  readonly name: string;
  readonly tables: PostgresTables;
  readonly connection: ConnectionSettings;
  readonly durableLeases: boolean;
  readonly pollIntervalMs: number;
  readonly settleRetryMs: number;
  readonly notify: boolean;
  readonly notifyIntervalMs: number;
}

const OWNER = 'PostgresTransport';

/**
 * Checks the options of `PostgresTransport` and fills in the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolvePostgresOptions(options: PostgresTransportOptions): ResolvedPostgresOptions {
  const given = objectOption(OWNER, 'options', options) as PostgresTransportOptions;
  const queue = stringOption(OWNER, 'queue', given.queue, 'default', { maxLength: 200 });
  const name = stringOption(OWNER, 'name', given.name, `postgres:${queue}`, { maxLength: 200 });
  const { connectionString } = given;
  return {
    queue,
    name,
    tables: resolveTables(OWNER, given),
    connection: {
      pool: poolOption(given.pool),
      connectionString:
        connectionString === undefined ? undefined : stringOption(OWNER, 'connectionString', connectionString, undefined, { maxLength: 10_000, secret: true }),
      maxConnections: numberOption(OWNER, 'maxConnections', given.maxConnections, 10, { min: 1 }),
      connectTimeoutMs: numberOption(OWNER, 'connectTimeoutMs', given.connectTimeoutMs, 5_000, { min: 1 }),
      queryTimeoutMs: numberOption(OWNER, 'queryTimeoutMs', given.queryTimeoutMs, 30_000, { min: 1 }),
    },
    durableLeases: booleanOption(OWNER, 'durableLeases', given.durableLeases, false),
    pollIntervalMs: numberOption(OWNER, 'pollIntervalMs', given.pollIntervalMs, 250, { min: 1 }),
    settleRetryMs: numberOption(OWNER, 'settleRetryMs', given.settleRetryMs, 10_000, { min: 0 }),
    notify: booleanOption(OWNER, 'notify', given.notify, true),
    notifyIntervalMs: numberOption(OWNER, 'notifyIntervalMs', given.notifyIntervalMs, 5, { min: 0 }),
  };
}

function poolOption(pool: unknown): PostgresPool | undefined {
  if (pool === undefined) return undefined;
  const { query, connect } = (typeof pool === 'object' && pool !== null ? pool : {}) as Partial<Record<'query' | 'connect', unknown>>;
  if (typeof query !== 'function' || typeof connect !== 'function') {
    throw invalidOption(OWNER, 'pool', 'a pg.Pool (an object with query and connect methods)', pool);
  }
  return pool as PostgresPool;
}
