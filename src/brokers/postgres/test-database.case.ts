import pg from 'pg';
import { Command } from '../../command.js';
import { MessageRegistry } from '../../envelope/message-registry.js';
import { requireService } from '../../../test/support/services.js';
import { PostgresTransport } from './postgres-transport.js';
import type { PostgresTransportOptions } from './options.js';

/** The database the Postgres tests use: `DATABASE_URL`, else the CI machine's local server. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the database answers; skips loudly without CI, fails with CI (see `requireService`). */
export function databaseAvailable(): Promise<boolean> {
  return requireService('PostgreSQL', databaseUrl);
}

/** A schema name unique to this test process, so test files never see each other's rows. */
export function uniqueSchema(label: string): string {
  return `troopy_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A pool for checks straight on the tables; end it after the tests. */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

/** A transport in `schema` with a fresh queue name, for one test. */
export function testTransport(schema: string, options: PostgresTransportOptions = {}): PostgresTransport {
  return new PostgresTransport({ connectionString: databaseUrl, schema, queue: `q-${Math.random().toString(36).slice(2, 10)}`, maxConnections: 4, ...options });
}

/** The command the Postgres tests send. */
export class Greet extends Command<Promise<void>> {
  constructor(readonly name: string) {
    super();
  }
}

/** The registry the Postgres tests and their child processes share. */
export const testRegistry = new MessageRegistry();
testRegistry.register(Greet, { name: 'postgres-test.greet' });
