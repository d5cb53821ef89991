import pg from 'pg';
import PgBoss from 'pg-boss';
import { Command } from '../../../src/command.js';
import { CommandBus } from '../../../src/command-bus.js';
import { MessageRouter } from '../../../src/message-router.js';
import { MessageRegistry } from '../../../src/transport/message-registry.js';
import { Sender } from '../../../src/transport/sender.js';
import { PostgresTransport } from '../../../src/transports/postgres/index.js';
import { Worker } from '../../../src/worker/worker.js';
import type { ChildSetup, Payload, SubjectId } from './protocol.js';

/** What a consumer calls for each message it handles. */
export type OnMessage = (payload: Payload) => void;

/** The producing half of a subject. */
export interface Producer {
  /** Sends a batch in one call (one transaction for the bare loop and troopy). */
  sendBatch(payloads: readonly Payload[]): Promise<void>;
  /** Sends one message on its own. */
  sendOne(payload: Payload): Promise<void>;
  close(): Promise<void>;
}

/** The consuming half of a subject; handles messages from `start` until `close`. */
export interface Consumer {
  start(onMessage: OnMessage): Promise<void>;
  close(): Promise<void>;
}

const encode = (payload: Payload): Buffer => Buffer.from(JSON.stringify(payload));

// ---------------------------------------------------------------------------------------------
// The bare loop: one multi-row INSERT per batch; BEGIN, SELECT ... FOR UPDATE SKIP LOCKED
// LIMIT n, handle, DELETE, COMMIT; an empty fetch sleeps 10 ms. The limit for this broker.

const bareTable = (key: string): string => `"bench_bare_${key.replace(/[^a-z0-9_]/gi, '_')}"`;

async function bareProducer({ url, key }: ChildSetup): Promise<Producer> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const table = bareTable(key);
  return {
    async sendBatch(payloads) {
      await pool.query(`INSERT INTO ${table} (body) SELECT unnest($1::bytea[])`, [payloads.map(encode)]);
    },
    async sendOne(payload) {
      await pool.query(`INSERT INTO ${table} (body) VALUES ($1)`, [encode(payload)]);
    },
    async close() {
      await pool.end();
    },
  };
}

async function bareConsumer({ url, key, batch }: ChildSetup): Promise<Consumer> {
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
          if (rows.length > 0) await client.query({ name: 'delete', text: `DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, values: [rows.map((row) => row.id)] });
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
}

// ---------------------------------------------------------------------------------------------
// pg-boss on the same database: insert / send, and work() fetching batches of the same size.

/** How many work() loops the pg-boss consumer runs. */
export const BOSS_LOOPS = 10;

const bossOptions = (url: string): PgBoss.ConstructorOptions => ({ connectionString: url, max: 10, supervise: false, schedule: false });

async function bossProducer({ url, key }: ChildSetup): Promise<Producer> {
  const boss = new PgBoss(bossOptions(url));
  boss.on('error', (error) => console.error('pg-boss producer:', error));
  await boss.start();
  return {
    async sendBatch(payloads) {
      await boss.insert(payloads.map((data) => ({ name: key, data })));
    },
    async sendOne(data) {
      await boss.send(key, data);
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

async function bossConsumer({ url, key, batch }: ChildSetup): Promise<Consumer> {
  const boss = new PgBoss(bossOptions(url));
  boss.on('error', (error) => console.error('pg-boss consumer:', error));
  await boss.start();
  return {
    async start(onMessage) {
      // pg-boss 10 waits out its polling interval after every fetch, so one work() loop does at
      // most batchSize jobs per 0.5 s; ten loops is how it is run for throughput.
      for (let loop = 0; loop < BOSS_LOOPS; loop++) {
        await boss.work<Payload>(key, { batchSize: batch, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) onMessage(job.data);
        });
      }
    },
    async close() {
      await boss.offWork(key);
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// troopy: Sender.sendBatch / Sender.send on a PostgresTransport, and a Worker of the same concurrency.

/** The schema the troopy subject's queue table lives in. */
export const TROOPY_SCHEMA = 'troopy_bench';

class BenchCommand extends Command<Promise<void>> {
  constructor(
    readonly seq: number,
    readonly sentAt: number,
    readonly pad: string,
  ) {
    super();
  }
}

const registry = new MessageRegistry();
registry.register(BenchCommand, { name: 'bench.postgres' });

const troopyTransport = (url: string, key: string): PostgresTransport => new PostgresTransport({ connectionString: url, schema: TROOPY_SCHEMA, queue: key });

async function troopyProducer({ url, key }: ChildSetup): Promise<Producer> {
  const transport = troopyTransport(url, key);
  await transport.setup();
  const sender = new Sender({ routes: [[BenchCommand, transport]], registry });
  return {
    async sendBatch(payloads) {
      await sender.sendBatch(payloads.map(({ seq, sentAt, pad }) => new BenchCommand(seq, sentAt, pad)));
    },
    async sendOne({ seq, sentAt, pad }) {
      await sender.send(new BenchCommand(seq, sentAt, pad));
    },
    async close() {
      await transport.close();
    },
  };
}

async function troopyConsumer({ url, key, batch }: ChildSetup): Promise<Consumer> {
  const transport = troopyTransport(url, key);
  await transport.setup();
  let worker: Worker | undefined;
  return {
    async start(onMessage) {
      const router = new MessageRouter();
      router.attach(BenchCommand, (command: BenchCommand) => {
        onMessage(command);
        return Promise.resolve();
      });
      worker = new Worker({ transports: [transport], bus: new CommandBus({ router }), registry, concurrency: batch });
      worker.start();
    },
    async close() {
      await worker?.stop();
      await transport.close();
    },
  };
}

/** The producer and consumer factories of each subject. */
export const subjects: Readonly<Record<SubjectId, { readonly producer: (setup: ChildSetup) => Promise<Producer>; readonly consumer: (setup: ChildSetup) => Promise<Consumer> }>> = {
  bare: { producer: bareProducer, consumer: bareConsumer },
  pgboss: { producer: bossProducer, consumer: bossConsumer },
  troopy: { producer: troopyProducer, consumer: troopyConsumer },
};

/**
 * Creates what a run needs before its processes start (the bare loop's table, the pg-boss
 * queue), so the producer and consumer never race to create it.
 */
export async function prepare(subject: SubjectId, url: string, key: string): Promise<void> {
  if (subject === 'bare') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${bareTable(key)} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body bytea NOT NULL)`);
    } finally {
      await client.end();
    }
  } else if (subject === 'pgboss') {
    const boss = new PgBoss(bossOptions(url));
    await boss.start();
    await boss.createQueue(key);
    await boss.stop({ graceful: false, wait: true });
  } else {
    const transport = troopyTransport(url, key);
    await transport.setup();
    await transport.close();
  }
}

/** Removes what a run left: the bare loop's table, the pg-boss queue and its jobs, troopy's rows. */
export async function cleanup(subject: SubjectId, url: string, key: string): Promise<void> {
  if (subject === 'pgboss') {
    const boss = new PgBoss(bossOptions(url));
    await boss.start();
    // Completed jobs stay in the queue's partition, whose foreign key would stop deleteQueue.
    await boss.getDb().executeSql('DELETE FROM pgboss.job WHERE name = $1', [key]);
    await boss.deleteQueue(key);
    await boss.stop({ graceful: false, wait: true });
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (subject === 'bare') await client.query(`DROP TABLE IF EXISTS ${bareTable(key)}`);
    else await client.query(`DELETE FROM "${TROOPY_SCHEMA}".troopy_messages WHERE queue = $1`, [key]);
  } finally {
    await client.end();
  }
}
