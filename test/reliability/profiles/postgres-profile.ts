import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PostgresTransport } from '../../../src/brokers/postgres/index.js';
import type { BrokerProfile, QueueAddress, RawMessage } from '../broker-profile.js';
import { spawnPrivateBroker } from '../private-broker.js';
import { sparePort } from '../../support/spare-port.js';

const run = promisify(execFile);

/** The schema the reliability queues live in, apart from the unit tests' and the application's. */
const SCHEMA = 'troopy_reliability';

/** A short-lived client for one admin job; always ended afterwards. */
async function withClient<T>(connection: string, job: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: connection, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await job(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether a PostgreSQL at `connection` answers `SELECT 1`. */
const answers = (connection: string): Promise<boolean> =>
  withClient(connection, async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(() => false);

/** Where Debian keeps the server binaries (initdb and postgres are not on the PATH there). */
async function binDirectory(): Promise<string> {
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    return stdout.trim();
  } catch {
    return '/usr/lib/postgresql/15/bin';
  }
}

/** Who runs the private cluster: PostgreSQL refuses to run as root, so under root the `postgres` user. */
function serverUser(): { readonly uid: number; readonly gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const { uid, gid } = statSync('/var/lib/postgresql');
  return { uid, gid };
}

/**
 * The PostgreSQL profile: a queue is a queue name in the `troopy_reliability` schema's tables,
 * raw messages are INSERTed as rows (headers as JSON text, body as bytea), and the restart
 * scenario gets a private cluster made with `initdb`, its postmaster on a spare port with fsync
 * on, as in production. Killed, its backends quit on their own and the next start runs crash
 * recovery from the WAL.
 */
export const profile: BrokerProfile = {
  name: 'postgres',
  moduleUrl: import.meta.url,
  connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',

  async probe(connection) {
    if (!(await answers(connection))) throw new Error(`PostgreSQL at ${connection} does not answer SELECT 1`);
  },

  createTransport({ connection, queue }: QueueAddress) {
    return new PostgresTransport({ connectionString: connection, schema: SCHEMA, queue, maxConnections: 4, connectTimeoutMs: 2_000 });
  },

  async inject({ connection, queue }: QueueAddress, messages: readonly RawMessage[]) {
    await withClient(connection, async (client) => {
      for (const message of messages) {
        await client.query(`INSERT INTO "${SCHEMA}".troopy_messages (queue, message_id, headers, body) VALUES ($1, $2, $3, $4)`, [
          queue,
          message.id,
          JSON.stringify(message.headers),
          Buffer.from(message.body),
        ]);
      }
    });
  },

  async cleanup({ connection, queue }: QueueAddress) {
    await withClient(connection, async (client) => {
      const { rows } = await client.query<{ ready: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ready`, [`"${SCHEMA}".troopy_dead_letters`]);
      if (rows[0]?.ready !== true) return;
      await client.query(`DELETE FROM "${SCHEMA}".troopy_messages WHERE queue = $1`, [queue]);
      await client.query(`DELETE FROM "${SCHEMA}".troopy_dead_letters WHERE queue = $1`, [queue]);
    });
  },

  async startPrivateBroker(directory: string) {
    const [port, bin] = [await sparePort(), await binDirectory()];
    const data = join(directory, 'data');
    const user = serverUser();
    return spawnPrivateBroker({
      name: 'postgres',
      connection: `postgres://postgres@127.0.0.1:${port}/postgres`,
      directory,
      command: join(bin, 'postgres'),
      args: ['-D', data, '-p', String(port), '-k', data, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'synchronous_commit=on'],
      ...(user === undefined ? {} : { user }),
      startTimeoutMs: 30_000,
      async prepare() {
        mkdirSync(data, { mode: 0o700 });
        if (user !== undefined) {
          chownSync(directory, user.uid, user.gid);
          chownSync(data, user.uid, user.gid);
        }
        await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { cwd: directory, ...user });
      },
      answers,
    });
  },
};
