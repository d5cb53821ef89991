import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandBus } from '../../command-bus.js';
import { MessageRouter } from '../../message-router.js';
import { Sender } from '../../sending/sender.js';
import { Worker } from '../../worker/worker.js';
import { InboxTransactionError, PostgresInbox } from './inbox.js';
import { adminPool, databaseAvailable, Greet, testRegistry, testTransport, uniqueSchema } from './test-database.case.js';

const available = await databaseAvailable();
const schema = uniqueSchema('inbox');
const admin = adminPool();
const inbox = new PostgresInbox({ schema });

async function effects(): Promise<string[]> {
  const { rows } = await admin.query<{ note: string }>(`SELECT note FROM "${schema}".effects ORDER BY id`);
  return rows.map((row) => row.note);
}

/** Runs `fn` in a transaction on a client of its own; commits unless it throws. */
async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

describe.skipIf(!available)('PostgresInbox', () => {
  beforeAll(async () => {
    await Promise.all([inbox.setup(admin), inbox.setup(admin)]);
    await admin.query(`CREATE TABLE "${schema}".effects (id serial PRIMARY KEY, note text NOT NULL)`);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('runs the side effect once per handler and message id, each in its own transaction', async () => {
    const effect = (client: pg.PoolClient, note: string) => () => client.query(`INSERT INTO "${schema}".effects (note) VALUES ($1)`, [note]);
    const ran = [];
    for (const note of ['first', 'second']) ran.push(await transaction((client) => inbox.once(client, 'unit', 'message-1', effect(client, note))));
    ran.push(await transaction((client) => inbox.once(client, 'other-handler', 'message-1', effect(client, 'other handler'))));
    expect(ran).toEqual([true, false, true]);
    expect(await effects()).toEqual(['first', 'other handler']);
    await admin.query(`TRUNCATE "${schema}".effects`);
  });

  it('records nothing when the side effect fails, so the next delivery runs it', async () => {
    await expect(transaction((client) => inbox.once(client, 'unit', 'message-2', () => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(await transaction((client) => inbox.once(client, 'unit', 'message-2', () => undefined))).toBe(true);
  });

  it('refuses a client outside a transaction, and a missing message id', async () => {
    const client = await admin.connect();
    try {
      await expect(inbox.once(client, 'unit', 'message-3', () => undefined)).rejects.toBeInstanceOf(InboxTransactionError);
      await expect(inbox.once(client, 'unit', {}, () => undefined)).rejects.toThrow(/needs the message id/);
    } finally {
      client.release();
    }
  });

  it('a message delivered twice to a worker runs its side effect once', async () => {
    const transport = testTransport(schema);
    await transport.setup();
    const sender = new Sender({ routes: [[Greet, transport]], registry: testRegistry });
    const attempts: number[] = [];
    const router = new MessageRouter();
    router.attach(Greet, async (command: Greet, context) => {
      attempts.push(context?.deliveryCount ?? 0);
      await transaction((client) =>
        inbox.once(client, 'greet', context, () => client.query(`INSERT INTO "${schema}".effects (note) VALUES ($1)`, [command.name])),
      );
      // The side effect committed, but the worker never hears of it on the first delivery:
      // as if it crashed between the handler's COMMIT and the ack.
      if (attempts.length === 1) throw new Error('lost after commit');
    });
    const worker = new Worker({
      transports: [transport],
      bus: new CommandBus({ router }),
      registry: testRegistry,
      receiveWaitMs: 100,
      retry: { baseMs: 10, capMs: 10 },
    });
    const errors: string[] = [];
    worker.on('error', ({ during, error }) => errors.push(`${during}: ${String(error)}`));
    worker.start();
    try {
      await sender.send(new Greet('charged once'));
      const deadline = Date.now() + 10_000;
      while (attempts.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await worker.stop();
      await transport.close();
    }
    expect(attempts, `deliveries seen by the handler (worker errors: ${errors.join('; ') || 'none'})`).toHaveLength(2);
    expect(await effects()).toEqual(['charged once']);
  });

  it('prunes records older than the given age', async () => {
    await transaction((client) => inbox.once(client, 'prune', 'old', () => undefined));
    await admin.query(`UPDATE ${inbox.table} SET handled_at = now() - interval '2 days' WHERE handler = 'prune'`);
    expect(await inbox.prune(admin, 24 * 3_600_000)).toBe(1);
  });
});
