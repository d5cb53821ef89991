import { resolveTables, type PostgresTableOptions, type PostgresTables } from './options.js';
import type { StatementRunner } from './statements.js';

/**
 * The SQL that creates the tables and indexes of the Postgres transport: what `setup()` runs,
 * for teams that run migrations themselves. Every statement is idempotent (`IF NOT EXISTS`).
 *
 * The queue table holds every queue's messages. A row is deliverable when `not_before` has
 * passed and it has no lease, or its lease (`lease_until`) has passed. `lease_token` names the
 * delivery that holds the lease, so that a consumer whose lease was taken over cannot ack,
 * retry or extend someone else's. `delivery_count` grows by one on each fetch.
 *
 * The fill factor of 50 leaves room on each page for a second version of every row, so that
 * taking a lease is a HOT update (no index entry written). A table made with the earlier 80 is
 * switched to 50; pages already written keep their fill. Headers are JSON text, stored without
 * being parsed; a table made with `jsonb` headers is converted.
 *
 * @throws {TypeError} when a name is not letters, digits and underscores.
 * @example
 * ```ts
 * import { postgresSchemaSql } from 'troopy/postgres';
 * writeFileSync('migrations/001_troopy.sql', postgresSchemaSql({ schema: 'jobs' }));
 * ```
 */
export function postgresSchemaSql(options: PostgresTableOptions = {}): string {
  const { schema, table, deadLetterTable, messages, deadLetters } = resolveTables('postgresSchemaSql', options);
  const createSchema = schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS "${schema}";\n\n`;
  return `${createSchema}CREATE TABLE IF NOT EXISTS ${messages} (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue          text        NOT NULL,
  message_id     text        NOT NULL,
  headers        text        NOT NULL,
  body           bytea       NOT NULL,
  not_before     timestamptz NOT NULL DEFAULT now(),
  lease_until    timestamptz,
  lease_token    uuid,
  delivery_count integer     NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50);

DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_class WHERE oid = '${messages}'::regclass AND 'fillfactor=80' = ANY(reloptions)) THEN
    ALTER TABLE ${messages} SET (fillfactor = 50);
  END IF;
  IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = '${messages}'::regclass AND attname = 'headers' AND atttypid = 'jsonb'::regtype) THEN
    ALTER TABLE ${messages} ALTER COLUMN headers TYPE text USING headers::text;
  END IF;
END $$;

CREATE INDEX IF NOT EXISTS "${table}_due_idx" ON ${messages} (queue, not_before, id);

CREATE TABLE IF NOT EXISTS ${deadLetters} (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue          text        NOT NULL,
  message_id     text        NOT NULL,
  headers        jsonb       NOT NULL,
  body           bytea       NOT NULL,
  delivery_count integer     NOT NULL,
  reason_code    text        NOT NULL,
  reason_message text        NOT NULL,
  failed_at      timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL,
  UNIQUE (queue, message_id)
);

CREATE INDEX IF NOT EXISTS "${deadLetterTable}_failed_idx" ON ${deadLetters} (queue, failed_at, id);
`;
}

/**
 * Runs `setup()` of a transport: the SQL of {@link postgresSchemaSql} under an advisory lock, so
 * that processes starting together do not race. Calls share one run until it fails.
 */
export class PostgresSetup {
  readonly #runner: StatementRunner;
  readonly #text: string;
  #done: Promise<void> | undefined;

  constructor(runner: StatementRunner, tables: PostgresTables) {
    this.#runner = runner;
    this.#text = `SELECT pg_advisory_xact_lock(7384021, hashtext('${tables.messages}'));\n${postgresSchemaSql(tables)}`;
  }

  /** Creates what is missing; leaves rows and leases alone. A failed run is tried again by the next call. */
  run(): Promise<void> {
    this.#done ??= this.#runner.run('set up', { text: this.#text, values: [] }).then(
      () => undefined,
      (error: unknown) => {
        this.#done = undefined;
        throw error;
      },
    );
    return this.#done;
  }

  /** Resolves once no run is in progress, whatever its outcome. */
  async idle(): Promise<void> {
    await this.#done?.catch(() => undefined);
  }
}
