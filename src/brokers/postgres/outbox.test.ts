import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandBus } from '../../command-bus.js';
import { MessageRouter } from '../../message-router.js';
import { routeToTransports } from '../../sending/routing-middleware.js';
import { Sender } from '../../sending/sender.js';
import { Worker } from '../../worker/worker.js';
import { withOutbox } from './outbox.js';
import { PostgresTransport } from './postgres-transport.js';
import { adminPool, databaseAvailable, databaseUrl, Greet, testRegistry, testTransport, uniqueSchema } from './test-database.case.js';

const available = await databaseAvailable();
const schema = uniqueSchema('outbox');
const admin = adminPool();
const opened: PostgresTransport[] = [];

function transport(): PostgresTransport {
  const created = testTransport(schema);
  opened.push(created);
  return created;
}

async function rows(queue: string): Promise<number> {
  const {
    rows: [row],
  } = await admin.query<{ count: string }>(`SELECT count(*) FROM "${schema}".troopy_messages WHERE queue = $1`, [queue]);
  return Number(row?.count);
}

/** Runs `fn` in a transaction on a client of its own, then commits or rolls back. */
async function inTransaction(end: 'COMMIT' | 'ROLLBACK', fn: (client: import('pg').PoolClient) => Promise<unknown>): Promise<void> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query(end);
  } finally {
    client.release();
  }
}

describe.skipIf(!available)('PostgresTransport as a transactional outbox', () => {
  beforeAll(async () => {
    await transport().setup();
  });

  afterAll(async () => {
    await Promise.all(opened.map((created) => created.close()));
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('a send inside a transaction that rolls back leaves no message', async () => {
    const queue = transport();
    const sender = new Sender({ routes: [[Greet, queue]], registry: testRegistry });
    await inTransaction('ROLLBACK', (client) => withOutbox(client, () => sender.send(new Greet('rolled back'))));
    expect(await rows(queue.queue)).toBe(0);
    expect(await queue.receive({ max: 10, leaseMs: 5_000, waitMs: 300 })).toEqual([]);
  });

  it('a send inside a transaction that commits leaves exactly one message, invisible before the commit', async () => {
    const queue = transport();
    const sender = new Sender({ routes: [[Greet, queue]], registry: testRegistry });
    let id = '';
    await inTransaction('COMMIT', async (client) => {
      id = (await withOutbox(client, () => sender.send(new Greet('committed')))).id;
      expect(await rows(queue.queue), 'rows seen by another connection before the COMMIT').toBe(0);
    });
    expect(await rows(queue.queue)).toBe(1);
    const deliveries = await queue.receive({ max: 10, leaseMs: 5_000, waitMs: 2_000 });
    expect(deliveries.map((delivery) => delivery.id)).toEqual([id]);
  });

  it('bus.dispatch through routeToTransports inside withOutbox writes in the transaction', async () => {
    const queue = transport();
    const bus = new CommandBus({ router: new MessageRouter(), middleware: [routeToTransports({ routes: [[Greet, queue]], registry: testRegistry })] });
    await inTransaction('ROLLBACK', (client) => withOutbox(client, () => bus.dispatch(new Greet('rolled back'))));
    expect(await rows(queue.queue)).toBe(0);
    await inTransaction('COMMIT', (client) => withOutbox(client, () => bus.dispatch(new Greet('committed'))));
    expect(await rows(queue.queue)).toBe(1);
  });

  it('sendWith writes through the given client only', async () => {
    const queue = transport();
    const message = { id: 'send-with', headers: { a: '1' }, body: new Uint8Array([1, 2]) };
    await inTransaction('ROLLBACK', (client) => queue.sendWith(client, [message]));
    expect(await rows(queue.queue)).toBe(0);
    await inTransaction('COMMIT', (client) => queue.sendWith(client, [message, { ...message, id: 'send-with-2' }]));
    expect(await rows(queue.queue)).toBe(2);
  });

  it('a process killed right after its COMMIT still delivers the message to a worker started afterwards', async () => {
    const queue = transport();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./outbox-child.case.ts', import.meta.url)), databaseUrl, schema, queue.queue],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, exitSignal) => resolve(exitSignal)));
    expect(signal, `the child's exit (output: ${output})`).toBe('SIGKILL');
    const id = output.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const handled: { name: string; id: string | undefined }[] = [];
    const router = new MessageRouter();
    router.attach(Greet, (command: Greet, context) => {
      handled.push({ name: command.name, id: context?.messageId });
      return Promise.resolve();
    });
    const worker = new Worker({ transports: [queue], bus: new CommandBus({ router }), registry: testRegistry, receiveWaitMs: 200 });
    worker.start();
    try {
      const deadline = Date.now() + 10_000;
      while (handled.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await worker.stop();
    }
    expect(handled).toEqual([{ name: 'from a process killed after its commit', id }]);
    expect(await rows(queue.queue), 'rows left after the worker acked').toBe(0);
  }, 30_000);
});
