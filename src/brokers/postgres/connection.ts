import type * as Pg from 'pg';
import { lazyClient } from '../client-loader.js';
import { PostgresDriverMissingError } from './errors.js';

/** A row as the driver returns it: column name to value. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * Any `pg` object that runs a statement: a `pg.Client`, a pool client or a `pg.Pool`. Pass your
 * own to `sendWith`, `withOutbox` and `PostgresInbox.once` to write in your transaction.
 */
export interface PostgresClient {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: Row[]; readonly rowCount: number | null }>;
}

/** Whether a value can run statements as a {@link PostgresClient}: an object with a `query` method. */
export function isPostgresClient(value: unknown): value is PostgresClient {
  return typeof value === 'object' && value !== null && typeof (value as Partial<PostgresClient>).query === 'function';
}

/** What the transport needs of a client it holds for LISTEN. */
export interface PostgresListenClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { readonly channel: string; readonly payload?: string | undefined }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  release(destroy?: boolean | Error): void;
}

/** A `pg.Pool` (or anything shaped like one) given to the transport with option `pool`. */
export interface PostgresPool {
  query(config: {
    readonly name?: string | undefined;
    readonly text: string;
    readonly values?: unknown[] | undefined;
  }): Promise<{ readonly rows: Row[]; readonly rowCount: number | null }>;
  connect(): Promise<PostgresListenClient>;
}

/** A statement with its parameters; `name` makes the driver prepare it once per connection. */
export interface Statement {
  readonly name?: string | undefined;
  readonly text: string;
  readonly values: unknown[];
}

/** Settings of a {@link PostgresConnection}, already checked. */
export interface ConnectionSettings {
  readonly connectionString: string | undefined;
  readonly pool: PostgresPool | undefined;
  readonly maxConnections: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

/** One LISTEN session; `close` ends it. */
export interface ListenSession {
  close(): void;
}

type PgModule = Pick<typeof Pg, 'Pool' | 'Client'>;

/** Loads `pg` once, on first use, so that the package is needed only by those who use this transport. */
const loadPg = lazyClient<PgModule>(
  async () => {
    const module = await import('pg');
    // pg is CommonJS: Node puts its exports on `default`; bundlers may not.
    return (module as { readonly default?: PgModule | undefined }).default ?? module;
  },
  (cause) => new PostgresDriverMissingError(cause),
);

/**
 * The only place that talks to `pg`: a pool (made lazily, or the one given) that runs
 * statements, and dedicated clients for LISTEN. Everything else in this folder sees rows only.
 */
export class PostgresConnection {
  readonly #settings: ConnectionSettings;
  #pool: Promise<PostgresPool> | undefined;
  #own: Pg.Pool | undefined;
  #config: Pg.PoolConfig | undefined;

  constructor(settings: ConnectionSettings) {
    this.#settings = settings;
  }

  /** Runs a statement on the pool and returns its rows and row count. */
  async run(statement: Statement): Promise<{ readonly rows: Row[]; readonly rowCount: number | null }> {
    const pool = await this.#getPool();
    return pool.query(statement);
  }

  /**
   * Opens a dedicated connection, LISTENs on `channel` and calls `onNotify` with each payload.
   * `onLost` is called once if the connection breaks; the caller opens a new session then.
   */
  async listen(channel: string, onNotify: (payload: string) => void, onLost: (error: unknown) => void): Promise<ListenSession> {
    const client = await this.#listenClient();
    let open = true;
    const lost = (error: unknown): void => {
      if (!open) return;
      open = false;
      client.release(true);
      onLost(error);
    };
    client.on('error', lost);
    client.on('end', () => {
      lost(new Error('the LISTEN connection ended'));
    });
    client.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    try {
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      open = false;
      client.release(true);
      throw error;
    }
    return {
      close() {
        if (!open) return;
        open = false;
        client.release(true);
      },
    };
  }

  /** Ends the pool the connection made (never a pool it was given). Safe to call twice. */
  async end(): Promise<void> {
    const own = this.#own;
    this.#own = undefined;
    if (own !== undefined && !own.ending) await own.end();
  }

  #getPool(): Promise<PostgresPool> {
    const given = this.#settings.pool;
    if (given !== undefined) return Promise.resolve(given);
    this.#pool ??= loadPg().then(
      (pg) => {
        const { connectionString, maxConnections, connectTimeoutMs, queryTimeoutMs } = this.#settings;
        this.#config = {
          max: maxConnections,
          connectionTimeoutMillis: connectTimeoutMs,
          query_timeout: queryTimeoutMs,
          keepAlive: true,
          application_name: 'troopy',
          ...(connectionString === undefined ? {} : { connectionString }),
        };
        const pool = new pg.Pool(this.#config);
        // An idle client's error is handled by the pool (it drops the client); this keeps it from crashing the process.
        pool.on('error', () => undefined);
        this.#own = pool;
        return pool;
      },
      (error: unknown) => {
        this.#pool = undefined;
        throw error;
      },
    );
    return this.#pool;
  }

  async #listenClient(): Promise<PostgresListenClient> {
    const pool = await this.#getPool();
    if (this.#config === undefined) return pool.connect();
    const pg = await loadPg();
    const client = new pg.Client({ ...this.#config, query_timeout: undefined });
    client.on('error', () => undefined);
    await client.connect();
    return Object.assign(client, {
      release: () => {
        void client.end().catch(() => undefined);
      },
    });
  }
}
