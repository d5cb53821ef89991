import type { ConnectionSettings } from './connection.js';
import { numberOption, stringOption, type PostgresTransportOptions } from './options.js';
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
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError(`${OWNER} expects an options object; got ${options === null ? 'null' : typeof options}.`);
  }
  const queue = stringOption(OWNER, 'queue', options.queue, 'default');
  const name = stringOption(OWNER, 'name', options.name, `postgres:${queue}`);
  const { pool, connectionString } = options;
  if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function' || typeof pool.connect !== 'function')) {
    throw new TypeError(`${OWNER} option "pool" must be a pg.Pool (an object with query and connect methods); got ${pool === null ? 'null' : typeof pool}.`);
  }
  return {
    queue,
    name,
    tables: resolveTables(OWNER, options),
    connection: {
      pool,
      connectionString: connectionString === undefined ? undefined : stringOption(OWNER, 'connectionString', connectionString, '', 10_000),
      maxConnections: numberOption(OWNER, 'maxConnections', options.maxConnections, 10, 1),
      connectTimeoutMs: numberOption(OWNER, 'connectTimeoutMs', options.connectTimeoutMs, 5_000, 1),
      queryTimeoutMs: numberOption(OWNER, 'queryTimeoutMs', options.queryTimeoutMs, 30_000, 1),
    },
    durableLeases: booleanOption('durableLeases', options.durableLeases, false),
    pollIntervalMs: numberOption(OWNER, 'pollIntervalMs', options.pollIntervalMs, 250, 1),
    settleRetryMs: numberOption(OWNER, 'settleRetryMs', options.settleRetryMs, 10_000, 0),
    notify: booleanOption('notify', options.notify, true),
    notifyIntervalMs: numberOption(OWNER, 'notifyIntervalMs', options.notifyIntervalMs, 5, 0),
  };
}

function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${OWNER} option "${option}" must be true or false; got ${typeof value}.`);
  return value;
}
