import { booleanOption, invalidOption, numberOption, objectOption, stringOption } from '../../check-option.js';
import type { ConnectionSettings, PostgresPool } from './connection.js';
import type { PostgresTransportOptions } from './options.js';
import { resolveTables, type PostgresTables } from './schema.js';

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
      connectionString: connectionString === undefined ? undefined : stringOption(OWNER, 'connectionString', connectionString, undefined, { maxLength: 10_000, secret: true }),
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
