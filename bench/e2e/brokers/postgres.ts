/**
 * PostgreSQL end to end: troopy (Sender + PostgresTransport + Worker) against a bare `pg` loop
 * (one multi-row INSERT per 100; SELECT ... FOR UPDATE SKIP LOCKED LIMIT 100 + DELETE in one
 * transaction: the limit for this broker) and pg-boss (insert + work with batches of 100) on
 * the same database.
 *
 * Standalone: `npx tsx bench/e2e/brokers/postgres.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=pgboss,troopy] [--transport-options=JSON] [--warm-up=N]`
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import { PostgresTransport } from '../../../src/brokers/postgres/index.js';
import type { EndToEndBroker, PeerSubject, Producer, Subject } from '../broker.js';
import { runWhenMain } from '../command-line.js';
import type { Payload } from '../protocol.js';
import { troopySubject } from '../troopy-subject.js';

async function query(url: string, text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

const encode = (payload: Payload): Buffer => Buffer.from(JSON.stringify(payload));

/** The producer of both bare loops: one multi-row INSERT of the bodies per batch, through a pool. */
async function bareProducer(url: string, table: string): Promise<Producer> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    async sendBatch(payloads) {
      await pool.query(`INSERT INTO ${table} (body) SELECT unnest($1::bytea[])`, [payloads.map(encode)]);
    },
    async sendOne(payload) {
      await pool.query(`INSERT INTO ${table} (body) VALUES ($1)`, [encode(payload)]);
    },
    close: () => pool.end(),
  };
}

// The bare loop: one multi-row INSERT per batch; BEGIN, SELECT ... FOR UPDATE SKIP LOCKED
// LIMIT n, handle, DELETE, COMMIT; an empty fetch sleeps 10 ms.
const bareTable = (key: string): string => `"bench_bare_${key.replace(/[^a-z0-9_]/gi, '_')}"`;

const bare: Subject = {
  label: 'bare pg loop (INSERT 100 per tx / SKIP LOCKED fetch 100 + DELETE, 10 ms poll)',
  prepare: ({ url, key }) => query(url, `CREATE TABLE ${bareTable(key)} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body bytea NOT NULL)`),
  producer: ({ url, key }) => bareProducer(url, bareTable(key)),
  async consumer({ url, key, batch }) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const table = bareTable(key);
    let running = true;
    let loop: Promise<void> = Promise.resolve();
    return {
      async start(onMessage) {
        loop = (async () => {
          while (running) {
            await client.query('BEGIN');
            const { rows } = await client.query<{ id: string; body: Buffer }>({
              name: 'fetch',
              text: `SELECT id, body FROM ${table} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
              values: [batch],
            });
            for (const row of rows) onMessage(JSON.parse(row.body.toString()) as Payload);
            if (rows.length > 0)
              await client.query({ name: 'delete', text: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, values: [rows.map((row) => row.id)] });
            await client.query('COMMIT');
            if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
      },
      async close() {
        running = false;
        await loop;
        await client.end();
      },
    };
  },
  cleanup: ({ url, key }) => query(url, `DROP TABLE IF EXISTS ${bareTable(key)}`),
};

// The bare loop with the guarantees the issue asks of a PostgreSQL queue: a lease_until column
// and a delivery count raised on fetch, committed before the handlers run (so a crash cannot
// hide a delivery), and a DELETE once they are done; not_before for delays. Lease changes and
// deletes skip the flush wait, as troopy's do by default.
const leasedTable = (key: string): string => `"bench_leased_${key.replace(/[^a-z0-9_]/gi, '_')}"`;

const leased: PeerSubject = {
  id: 'leased',
  name: 'the bare loop with leases',
  label: 'bare pg loop with leases (INSERT 100 per tx / UPDATE lease_until + count ... SKIP LOCKED 100, commit / DELETE, commit)',
  async prepare({ url, key }) {
    const table = leasedTable(key);
    await query(
      url,
      `CREATE TABLE ${table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body bytea NOT NULL, not_before timestamptz NOT NULL DEFAULT now(), ` +
        `lease_until timestamptz, delivery_count integer NOT NULL DEFAULT 0); CREATE INDEX ON ${table} (not_before, id)`,
    );
  },
  producer: ({ url, key }) => bareProducer(url, leasedTable(key)),
  async consumer({ url, key, batch }) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SET synchronous_commit = off');
    const table = leasedTable(key);
    let running = true;
    let loop: Promise<void> = Promise.resolve();
    return {
      async start(onMessage) {
        loop = (async () => {
          while (running) {
            const { rows } = await client.query<{ id: string; body: Buffer }>({
              name: 'lease',
              text:
                `WITH due AS MATERIALIZED (SELECT id FROM ${table} WHERE not_before <= now() AND (lease_until IS NULL OR lease_until <= now()) ` +
                `ORDER BY not_before, id LIMIT $1 FOR UPDATE SKIP LOCKED) ` +
                `UPDATE ${table} AS m SET lease_until = now() + interval '30 seconds', delivery_count = m.delivery_count + 1 FROM due WHERE m.id = due.id RETURNING m.id, m.body`,
              values: [batch],
            });
            for (const row of rows) onMessage(JSON.parse(row.body.toString()) as Payload);
            if (rows.length > 0)
              await client.query({ name: 'delete', text: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, values: [rows.map((row) => row.id)] });
            else await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
      },
      async close() {
        running = false;
        await loop;
        await client.end();
      },
    };
  },
  cleanup: ({ url, key }) => query(url, `DROP TABLE IF EXISTS ${leasedTable(key)}`),
};

// pg-boss on the same database: insert / send, and work() fetching batches of the same size.
// pg-boss 10 waits out its polling interval after every fetch, so one work() loop does at most
// batchSize jobs per 0.5 s; ten loops is how it is run for throughput.
const BOSS_LOOPS = 10;

async function startBoss(url: string, role: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, max: 10, supervise: false, schedule: false });
  boss.on('error', (error) => console.error(`pg-boss ${role}:`, error));
  await boss.start();
  return boss;
}

const stopBoss = (boss: PgBoss): Promise<void> => boss.stop({ graceful: false, wait: true });

const pgboss: PeerSubject = {
  id: 'pgboss',
  name: 'pg-boss',
  label: `pg-boss 10 (insert + ${BOSS_LOOPS} work() loops, batchSize 100)`,
  async prepare({ url, key }) {
    const boss = await startBoss(url, 'prepare');
    await boss.createQueue(key);
    await stopBoss(boss);
  },
  async producer({ url, key }) {
    const boss = await startBoss(url, 'producer');
    return {
      async sendBatch(payloads) {
        await boss.insert(payloads.map((data) => ({ name: key, data })));
      },
      async sendOne(data) {
        await boss.send(key, data);
      },
      close: () => stopBoss(boss),
    };
  },
  async consumer({ url, key, batch }) {
    const boss = await startBoss(url, 'consumer');
    return {
      async start(onMessage) {
        for (let loop = 0; loop < BOSS_LOOPS; loop++) {
          await boss.work<Payload>(key, { batchSize: batch, pollingIntervalSeconds: 0.5 }, async (jobs) => {
            for (const job of jobs) onMessage(job.data);
          });
        }
      },
      async close() {
        await boss.offWork(key);
        await stopBoss(boss);
      },
    };
  },
  async cleanup({ url, key }) {
    const boss = await startBoss(url, 'cleanup');
    // Completed jobs stay in the queue's partition, whose foreign key would stop deleteQueue.
    await boss.getDb().executeSql('DELETE FROM pgboss.job WHERE name = $1', [key]);
    await boss.deleteQueue(key);
    await stopBoss(boss);
  },
};

/** The schema the troopy subject's queue tables live in. */
const TROOPY_SCHEMA = 'troopy_bench';

// Each run gets fresh tables, as the bare loop does: with autovacuum off (as on the bench
// machine) one long-lived queue table only grows, and every run would pay for the ones before.
const troopyTable = (key: string): string => `${key.replace(/[^a-z0-9_]/gi, '_')}_q`;
const troopyDeadLetters = (key: string): string => `${key.replace(/[^a-z0-9_]/gi, '_')}_dl`;

const postgres: EndToEndBroker = {
  id: 'postgres',
  module: import.meta.url,
  name: 'PostgreSQL',
  defaultUrl: () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  bare,
  references: [leased],
  peer: pgboss,
  troopy: troopySubject({
    transportName: 'PostgresTransport',
    transport: ({ url, key, transportOptions }) =>
      new PostgresTransport({
        connectionString: url,
        schema: TROOPY_SCHEMA,
        table: troopyTable(key),
        deadLetterTable: troopyDeadLetters(key),
        queue: key,
        ...transportOptions,
      }),
    cleanup: ({ url, key }) => query(url, `DROP TABLE IF EXISTS "${TROOPY_SCHEMA}"."${troopyTable(key)}", "${TROOPY_SCHEMA}"."${troopyDeadLetters(key)}"`),
  }),
  // A checkpoint due in the middle of a run would make that run alone write every page it
  // touches whole to the WAL; starting each run right after one treats them all alike.
  beforeEachRun: (url) => query(url, 'CHECKPOINT'),
  serverProcess: 'postgres',
  report: {
    flatOut: '; consumers take up to 100 at once',
    server: 'PostgreSQL (fsync and synchronous_commit on)',
  },
};

export default postgres;

runWhenMain(import.meta.url, postgres);
