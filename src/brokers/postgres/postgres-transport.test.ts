import { afterAll, describe, expect, it } from 'vitest';
import { transportContract } from '../../testing/transport-contract.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { Transport } from '../../transport/transport.js';
import { PostgresSchemaMissingError } from './errors.js';
import type { PostgresTransportOptions } from './options.js';
import { PostgresTransport } from './postgres-transport.js';
import { postgresSchemaSql } from './setup.js';
import { adminPool, databaseAvailable, databaseUrl, testTransport, uniqueSchema } from './test-database.case.js';

const available = await databaseAvailable();
const schema = uniqueSchema('contract');
const admin = adminPool();

afterAll(async () => {
  if (available) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function cleanup(transport: Transport): Promise<void> {
  if (!(transport instanceof PostgresTransport)) return;
  const { queue } = transport;
  await admin.query(`DELETE FROM "${schema}".troopy_messages WHERE queue = $1`, [queue]);
  await admin.query(`DELETE FROM "${schema}".troopy_dead_letters WHERE queue = $1`, [queue]);
}

transportContract({
  name: 'PostgresTransport',
  create: () => Promise.resolve(testTransport(schema)),
  cleanup,
  describe: available ? describe : describe.skip,
  it,
  writeForeign: async (made) => {
    // A row another producer inserts, as the README describes it: headers a JSON object of strings.
    if (!(made instanceof PostgresTransport)) throw new TypeError('writeForeign expects a PostgresTransport.');
    const { queue } = made;
    const headers = '{"__proto__":"p","k":"v"}';
    await admin.query(`INSERT INTO "${schema}".troopy_messages (queue, message_id, headers, body) VALUES ($1, $2, $3, $4)`, [
      queue,
      'foreign-1',
      headers,
      Buffer.from([0xff, 0, 1]),
    ]);
    return [
      {
        shape: 'an INSERT of a row with headers {"__proto__":"p","k":"v"}',
        headers: JSON.parse(headers) as Record<string, string>,
        body: new Uint8Array([0xff, 0, 1]),
      },
    ];
  },
});

const message = (id: string) => ({ id, headers: { 'message-name': 'test' }, body: new Uint8Array([1, 2, 3]) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)('PostgresTransport', () => {
  const opened: PostgresTransport[] = [];
  const transport = (options: PostgresTransportOptions = {}): PostgresTransport => {
    const created = testTransport(schema, options);
    opened.push(created);
    return created;
  };
  const count = async (queue: string): Promise<number> => {
    const { rows } = await admin.query<{ count: string }>(`SELECT count(*) FROM "${schema}".troopy_messages WHERE queue = $1`, [queue]);
    return Number(rows[0]?.count);
  };

  afterAll(async () => {
    await Promise.all(opened.map((created) => created.close()));
  });

  it('concurrent sends of multi-byte ids, headers and bodies of every length keep each part whole, in order', async () => {
    const queue = transport();
    await queue.setup();
    const sent = Array.from({ length: 30 }, (_, index) => ({
      id: `${'ž'.repeat(index % 4)}-${index}-🐎`,
      headers: { 'message-name': 'test', note: `${'ů"\\'.repeat(index)}🐎`, ...(index % 3 === 0 ? {} : { ['čís' + String(index)]: '' }) },
      body: Uint8Array.from({ length: (index * 37) % 120 }, (_, byte) => (byte * 7 + index) % 256),
      ...(index === 5 ? { notBefore: Date.now() + 60_000 } : {}),
    }));
    await Promise.all([queue.send(sent.slice(0, 10)), queue.send(sent.slice(10, 11)), queue.send(sent.slice(11))]);
    const received = await queue.receive({ max: 50, leaseMs: 10_000, waitMs: 1_000 });
    const due = sent.filter((_, index) => index !== 5);
    expect(received.map((delivery) => ({ id: delivery.id, headers: delivery.headers, body: [...delivery.body] }))).toEqual(
      due.map(({ id, headers, body }) => ({ id, headers, body: [...body] })),
    );
    expect(await count(queue.queue)).toBe(30);
  });

  it('a stale delivery (its lease passed to another consumer) cannot ack, retry, extend, release or dead-letter', async () => {
    const queue = transport();
    await queue.setup();
    await queue.send([message('stale')]);
    const [stale] = await queue.receive({ max: 1, leaseMs: 100, waitMs: 1_000 });
    await sleep(200);
    const [current] = await queue.receive({ max: 1, leaseMs: 10_000, waitMs: 1_000 });
    expect(current?.deliveryCount).toBe(2);
    await queue.ack(stale!);
    await queue.retry(stale!, 0, { changed: 'yes' });
    await queue.extendLease(stale!, 1);
    await queue.release(stale!);
    await queue.deadLetter(stale!, { code: 'unrecoverable', message: 'stale' });
    expect(await count(queue.queue)).toBe(1);
    expect(await queue.deadLetters.list()).toEqual([]);
    expect(await queue.receive({ max: 1, leaseMs: 1_000, waitMs: 300 }), 'the current lease still holds').toEqual([]);
    await queue.ack(current!);
    expect(await count(queue.queue)).toBe(0);
  });

  it('refuses NUL in headers with a TypeError; keeps a literal backslash-u0000 and a __proto__ header as they are', async () => {
    const queue = transport();
    await queue.setup();
    await expect(queue.send([{ ...message('nul'), headers: { bad: 'a\u0000b' } }])).rejects.toThrow(/message 0 has a NUL character/);
    const literal = { ...message('literal'), headers: { path: 'C:\\u0000\\x', ['__proto__']: 'polluted?' } };
    await queue.send([literal]);
    const [delivery] = await queue.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 });
    expect(Object.keys(delivery?.headers ?? {}).sort()).toEqual(['__proto__', 'path']);
    expect(delivery?.headers.path).toBe('C:\\u0000\\x');
    expect(Object.getPrototypeOf(delivery?.headers)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted?']).toBeUndefined();
  });

  it('with durableLeases, leases and acks work the same (committed with the disk flush)', async () => {
    const queue = transport({ durableLeases: true });
    await queue.setup();
    await queue.send([message('durable')]);
    const [first] = await queue.receive({ max: 1, leaseMs: 10_000, waitMs: 1_000 });
    await queue.extendLease(first!, 20_000);
    await queue.release(first!);
    const [second] = await queue.receive({ max: 1, leaseMs: 10_000, waitMs: 1_000 });
    expect(second?.deliveryCount).toBe(2);
    await queue.ack(second!);
    expect(await count(queue.queue)).toBe(0);
  });

  it('competing consumers with their own pools never get the same row (FOR UPDATE SKIP LOCKED)', async () => {
    const producer = transport();
    await producer.setup();
    const total = 600;
    await producer.send(Array.from({ length: total }, (_, index) => message(`compete-${index}`)));
    const consumers = Array.from({ length: 6 }, () => transport({ queue: producer.queue }));
    const seen: string[] = [];
    await Promise.all(
      consumers.map(async (consumer) => {
        for (;;) {
          const deliveries = await consumer.receive({ max: 7, leaseMs: 60_000, waitMs: 0 });
          if (deliveries.length === 0) return;
          for (const delivery of deliveries) {
            expect(delivery.deliveryCount).toBe(1);
            seen.push(delivery.id);
          }
        }
      }),
    );
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('send rejects promptly with TransportUnavailableError when the database is unreachable', async () => {
    const down = new PostgresTransport({ connectionString: 'postgres://postgres@127.0.0.1:5499/test', connectTimeoutMs: 2_000 });
    try {
      const started = Date.now();
      const error: unknown = await down.send([message('nowhere')]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransportUnavailableError);
      expect(String(error)).toMatch(/postgres:default.*unreachable.*ECONNREFUSED/s);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(down.health()).toBe('reconnecting');
      await expect(down.receive({ max: 1, leaseMs: 1_000, waitMs: 100 })).rejects.toBeInstanceOf(TransportUnavailableError);
    } finally {
      await down.close();
    }
  });

  it('setup converts a queue table of an earlier version (jsonb headers, fill factor 80), keeping the waiting messages and their headers', async () => {
    const fresh = uniqueSchema('jsonb');
    try {
      const older = postgresSchemaSql({ schema: fresh })
        .replace(/headers\s+text\s+NOT NULL/, 'headers jsonb NOT NULL')
        .replace('WITH (fillfactor = 50)', 'WITH (fillfactor = 80)');
      // Without the DO block that converts: that is what setup() must still do.
      await admin.query(older.replace(/DO \$\$[\s\S]*?END \$\$;/, ''));
      await admin.query(
        `INSERT INTO "${fresh}".troopy_messages (queue, message_id, headers, body) VALUES ('default', 'old', '{"message-name": "test", "n": 1}', '\\x01')`,
      );
      const typeOfHeaders = `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = '"${fresh}".troopy_messages'::regclass AND attname = 'headers'`;
      expect((await admin.query<{ type: string }>(typeOfHeaders)).rows[0]?.type).toBe('jsonb');
      const queue = new PostgresTransport({ connectionString: databaseUrl, schema: fresh, maxConnections: 2 });
      opened.push(queue);
      await queue.setup();
      const { rows } = await admin.query<{ type: string }>(typeOfHeaders);
      expect(rows[0]?.type).toBe('text');
      const { rows: options } = await admin.query<{ reloptions: string[] }>(
        `SELECT reloptions FROM pg_class WHERE oid = '"${fresh}".troopy_messages'::regclass`,
      );
      expect(options[0]?.reloptions).toEqual(['fillfactor=50']);
      const [delivery] = await queue.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 });
      expect(delivery).toMatchObject({ id: 'old', headers: { 'message-name': 'test' } });
      expect(Object.keys(delivery!.headers)).toEqual(['message-name']);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
    }
  });

  it('rejects with PostgresSchemaMissingError before setup, and works on tables made from postgresSchemaSql()', async () => {
    const fresh = uniqueSchema('migrated');
    const queue = new PostgresTransport({ connectionString: databaseUrl, schema: fresh, maxConnections: 2 });
    opened.push(queue);
    await expect(queue.send([message('early')])).rejects.toBeInstanceOf(PostgresSchemaMissingError);
    try {
      await admin.query(postgresSchemaSql({ schema: fresh }));
      await admin.query(postgresSchemaSql({ schema: fresh }));
      await queue.send([message('migrated')]);
      expect((await queue.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 })).map((delivery) => delivery.id)).toEqual(['migrated']);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
    }
  });

  describe('wake-ups', () => {
    // A table of its own, so the LISTEN of these tests is told apart from other test files'.
    const table = `listen_${process.pid}`;
    const pair = (options: PostgresTransportOptions) => {
      const receiver = transport({ table, pollIntervalMs: 20_000, ...options });
      return { receiver, sender: transport({ table, queue: receiver.queue, ...options }) };
    };
    const wakeTime = async (receiver: PostgresTransport, sender: PostgresTransport, id: string): Promise<number> => {
      const pending = receiver.receive({ max: 1, leaseMs: 1_000, waitMs: 10_000 });
      await sleep(300);
      const sentAt = Date.now();
      await sender.send([message(id)]);
      const deliveries = await pending;
      const wokeAfter = Date.now() - sentAt;
      expect(deliveries.map((delivery) => delivery.id)).toEqual([id]);
      await receiver.ack(deliveries[0]!);
      return wokeAfter;
    };

    it('a NOTIFY from another transport wakes a waiting receive long before its poll', async () => {
      const { receiver, sender } = pair({});
      await receiver.setup();
      expect(await wakeTime(receiver, sender, 'notified')).toBeLessThan(1_000);
    });

    it('the LISTEN connection is opened again after it drops', async () => {
      const { receiver, sender } = pair({});
      await receiver.setup();
      await wakeTime(receiver, sender, 'before-drop');
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`, [
        `LISTEN "${table}"`,
      ]);
      expect(rowCount).toBeGreaterThan(0);
      // Past the receive's busy window (it found a message just now), so only the LISTEN can wake it.
      await sleep(700);
      expect(await wakeTime(receiver, sender, 'after-drop')).toBeLessThan(1_000);
    });

    it('a receive that found messages in the last half second looks again every 10 ms, without a NOTIFY or a poll', async () => {
      const { receiver, sender } = pair({ notify: false });
      await receiver.setup();
      await sender.send([message('first')]);
      const [first] = await receiver.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 });
      expect(first?.id).toBe('first');
      const pending = receiver.receive({ max: 1, leaseMs: 1_000, waitMs: 10_000 });
      await sleep(100);
      const sentAt = Date.now();
      await sender.send([message('second')]);
      expect((await pending).map((delivery) => delivery.id)).toEqual(['second']);
      expect(Date.now() - sentAt).toBeLessThan(200);
    });

    it('with notify off, polling alone delivers', async () => {
      const { receiver, sender } = pair({ notify: false, pollIntervalMs: 100 });
      await receiver.setup();
      expect(await wakeTime(receiver, sender, 'polled')).toBeLessThan(1_000);
    });
  });
});
