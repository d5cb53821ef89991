import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PostgresTransport } from '../../../src/brokers/postgres/index.js';
import type { BrokerProfile, PrivateBroker, QueueAddress, RawMessage } from '../broker-profile.js';
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

const answers = (connection: string): Promise<boolean> =>
  withClient(connection, async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(() => false);


/** Where Debian keeps the server binaries (initdb and pg_ctl are not on the PATH there). */
async function binDirectory(): Promise<string> {
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    return stdout.trim();
  } catch {
    return '/usr/lib/postgresql/15/bin';
  }
}

/**
 * A PostgreSQL cluster of its own: `initdb` in a temporary directory, a server on a spare port
 * (fsync on, as in production). `crash` is `pg_ctl stop -m immediate`: every server process
 * quits at once without a checkpoint, so the next start runs crash recovery from the WAL.
 * PostgreSQL refuses to run as root, so under root the commands run as the `postgres` user.
 */
class PrivatePostgres implements PrivateBroker {
  readonly connection: string;
  readonly #port: number;
  readonly #data: string;
  readonly #bin: string;
  #running = false;
  #disposed = false;

  constructor(port: number, directory: string, bin: string) {
    this.#port = port;
    this.#data = join(directory, 'data');
    this.#bin = bin;
    this.connection = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  async init(directory: string): Promise<void> {
    mkdirSync(this.#data, { mode: 0o700 });
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync('/var/lib/postgresql');
      chownSync(directory, uid, gid);
      chownSync(this.#data, uid, gid);
    }
    await this.#pg('initdb', ['-D', this.#data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  async start(): Promise<void> {
    const options = `-p ${this.#port} -k ${this.#data} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on`;
    await this.#pg('pg_ctl', ['-D', this.#data, '-o', options, '-l', join(this.#data, 'server.log'), '-w', '-t', '30', 'start']);
    this.#running = true;
  }

  async crash(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#pg('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.crash().catch(() => undefined);
    rmSync(join(this.#data, '..'), { recursive: true, force: true });
  }

  #pg(command: string, args: readonly string[]): Promise<unknown> {
    const path = join(this.#bin, command);
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, [...args]);
  }
}

/**
 * The PostgreSQL profile: a queue is a queue name in the `troopy_reliability` schema's tables,
 * raw messages are INSERTed as rows (headers as JSON text, body as bytea), and the restart
 * scenario gets a private cluster made with `initdb` on a spare port.
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
    const broker = new PrivatePostgres(await sparePort(), directory, await binDirectory());
    try {
      await broker.init(directory);
      await broker.start();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  },
};
