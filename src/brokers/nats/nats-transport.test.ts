import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection as NatsClient } from '@nats-io/transport-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/services.js';
import type { ForeignMessage } from '../../testing/contract-kit.js';
import { transportContract } from '../../testing/transport-contract.js';
import { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
import type { Transport } from '../../transport/transport.js';
import { NatsTransport, type NatsTransportOptions } from './index.js';
import { sparePort } from '../../../test/support/spare-port.js';

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const natsUp = await requireService('nats', url);
const admin: { client?: NatsClient; jsm?: JetStreamManager } = {};
if (natsUp) {
  admin.client = await connect({ servers: url });
  admin.jsm = await jetstreamManager(admin.client);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let queues = 0;
const created = new Map<Transport, string>();

/** Options naming a stream, subject and consumer no other test uses. */
function unique(): { stream: string; subject: string; consumer: string } {
  const name = `troopy-test-${process.pid}-${Date.now().toString(36)}-${queues++}`;
  return { stream: name, subject: name.replaceAll('-', '_'), consumer: 'workers' };
}

function transport(options: NatsTransportOptions = {}): NatsTransport {
  const names = options.stream === undefined ? unique() : {};
  const where = options.connection === undefined ? { servers: url } : {};
  const made = new NatsTransport({ ...where, leaseMs: 400, ...names, ...options });
  created.set(made, options.stream ?? (names as { stream: string }).stream);
  return made;
}

async function cleanup(made: Transport): Promise<void> {
  const stream = created.get(made);
  if (stream === undefined) return;
  await admin.jsm?.streams.delete(stream).catch(() => false);
  await admin.jsm?.streams.delete(`${stream}-dead`).catch(() => false);
}

afterAll(async () => {
  await admin.client?.close();
});

/** What another producer may publish to the queue's subject, with what the README says the transport delivers for each. */
async function writeForeignMessages(made: Transport): Promise<ForeignMessage[]> {
  const subject = created.get(made)!.replaceAll('-', '_');
  const odd = natsHeaders();
  odd.set('__proto__', 'p');
  odd.set('k', 'v');
  odd.set('Nats-Expected-Stream', created.get(made)!);
  await admin.client!.request(subject, new Uint8Array([0xff, 0, 1]), { timeout: 2_000 });
  await admin.client!.request(subject, new TextEncoder().encode('with headers'), { headers: odd, timeout: 2_000 });
  return [
    { shape: 'a plain publish without headers', headers: {}, body: new Uint8Array([0xff, 0, 1]) },
    {
      shape: 'a plain publish with the headers __proto__ and k (and a Nats- one)',
      headers: JSON.parse('{"__proto__":"p","k":"v"}') as Record<string, string>,
      body: new TextEncoder().encode('with headers'),
    },
  ];
}

describe.skipIf(!natsUp)('NatsTransport on a real NATS JetStream', () => {
  transportContract({
    name: 'NatsTransport',
    create: () => Promise.resolve(transport()),
    cleanup,
    describe,
    it,
    writeForeign: writeForeignMessages,
    skip: {
      'dead-lettering a message id again keeps one dead letter: the later reason, headers and bytes':
        'a second send of the same id within the duplicate window is dropped (Nats-Msg-Id); the test below publishes it without one',
    },
  });

  it('keeps one dead letter per message id: dead-lettering the id again replaces it with the later reason, headers and bytes', async () => {
    const made = transport();
    try {
      await made.send([{ id: 'twice', headers: { try: '1' }, body: new Uint8Array([1]) }]);
      const [first] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      await made.deadLetter(first!, { code: 'first', message: 'the earlier reason' });
      const again = natsHeaders();
      again.set('Troopy-Message', JSON.stringify({ id: 'twice', headers: { try: '2' } }));
      await admin.client!.request(created.get(made)!.replaceAll('-', '_'), new Uint8Array([2]), { headers: again, timeout: 2_000 });
      const [second] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      expect(second).toMatchObject({ id: 'twice', headers: { try: '2' } });
      await made.deadLetter(second!, { code: 'second', message: 'the later reason' });
      const letters = await made.deadLetters.list();
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ id: 'twice', headers: { try: '2' }, reason: { code: 'second', message: 'the later reason' } });
      expect([...letters[0]!.body]).toEqual([2]);
      expect(await made.deadLetters.get('twice')).toMatchObject({ reason: { code: 'second' } });
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('counts deliveries from JetStream: a message redelivered after expired leases reports 1, 2, 3', async () => {
    const made = transport();
    try {
      await made.send([{ id: 'counted', headers: { a: '1' }, body: new Uint8Array([1]) }]);
      const counts: number[] = [];
      for (let round = 0; round < 3; round++) {
        const [delivery] = await made.receive({ max: 1, leaseMs: 300, waitMs: 2_000 });
        counts.push(delivery!.deliveryCount);
        if (round === 2) await made.ack(delivery!);
      }
      expect(counts).toEqual([1, 2, 3]);
      // The ack is not confirmed by JetStream: the stream deletes the message a moment later.
      await expect.poll(async () => (await admin.jsm!.streams.info(created.get(made)!)).state.messages, { timeout: 2_000 }).toBe(0);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('extendLease (an in-progress ack) keeps a delivery from another consumer for several leases', async () => {
    const names = unique();
    const [worker, rival] = [transport(names), transport(names)];
    try {
      await worker.send([{ id: 'kept', headers: {}, body: new Uint8Array([2]) }]);
      const [delivery] = await worker.receive({ max: 1, leaseMs: 400, waitMs: 2_000 });
      const keepalive = setInterval(() => void worker.extendLease(delivery!, 400), 130);
      const stolen = await rival.receive({ max: 1, leaseMs: 400, waitMs: 1_500 });
      clearInterval(keepalive);
      expect(stolen).toEqual([]);
      const [again] = await rival.receive({ max: 1, leaseMs: 400, waitMs: 2_000 });
      expect(again).toMatchObject({ id: 'kept', deliveryCount: 2 });
      await rival.ack(again!);
    } finally {
      await Promise.all([worker.close(), rival.close()]);
      await cleanup(worker);
    }
  });

  it('does not release or extend a delivery whose lease ran out, once another consumer may hold the message', async () => {
    const names = unique();
    const [stale, holder] = [transport(names), transport(names)];
    try {
      await stale.send([{ id: 'moved-on', headers: {}, body: new Uint8Array([3]) }]);
      const [old] = await stale.receive({ max: 1, leaseMs: 400, waitMs: 2_000 });
      const [current] = await holder.receive({ max: 1, leaseMs: 400, waitMs: 2_000 });
      expect(current).toMatchObject({ id: 'moved-on', deliveryCount: 2 });
      await stale.extendLease(old!, 400);
      await stale.release(old!);
      // A negative ack of the old delivery would hand the message out again at once.
      expect(await stale.receive({ max: 1, leaseMs: 400, waitMs: 250 })).toEqual([]);
      await holder.ack(current!);
      expect(await stale.receive({ max: 1, leaseMs: 400, waitMs: 600 })).toEqual([]);
    } finally {
      await Promise.all([stale.close(), holder.close()]);
      await cleanup(stale);
    }
  });

  it('a stale extendLease does not lengthen the lease of the consumer that holds the message now', async () => {
    const names = unique();
    const [stale, holder] = [transport({ ...names, leaseMs: 1_000 }), transport({ ...names, leaseMs: 1_000 })];
    try {
      await stale.send([{ id: 'kept-short', headers: {}, body: new Uint8Array([4]) }]);
      const [old] = await stale.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      const [current] = await holder.receive({ max: 1, leaseMs: 1_000, waitMs: 3_000 });
      const heldAt = Date.now();
      expect(current).toMatchObject({ id: 'kept-short', deliveryCount: 2 });
      await sleep(500);
      await stale.extendLease(old!, 1_000);
      // The holder's lease ends about 1 s after it got the message; an in-progress ack sent at
      // 0.5 s would have moved that to 1.5 s.
      const [again] = await stale.receive({ max: 1, leaseMs: 1_000, waitMs: 1_300 - (Date.now() - heldAt) });
      expect(again).toMatchObject({ id: 'kept-short', deliveryCount: 3 });
      await stale.ack(again!);
    } finally {
      await Promise.all([stale.close(), holder.close()]);
      await cleanup(stale);
    }
  });

  it('rejects a send promptly with TransportUnavailableError when nothing listens at 127.0.0.1:4299', async () => {
    const made = new NatsTransport({ servers: '127.0.0.1:4299', timeoutMs: 1_000 });
    const started = Date.now();
    await expect(made.send([{ id: 'lost', headers: {}, body: new Uint8Array([3]) }])).rejects.toBeInstanceOf(TransportUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(made.health()).toBe('reconnecting');
    await expect(made.receive({ max: 1, leaseMs: 1_000, waitMs: 0 })).rejects.toThrow(/127\.0\.0\.1:4299/);
    await made.close();
    expect(made.health()).toBe('failed');
  });

  it('gives a message published without troopy its NATS headers, raw body and a stream-based id', async () => {
    const made = transport();
    try {
      await made.setup();
      const raw = natsHeaders();
      raw.set('message-name', 'external.command');
      await admin.client!.request(created.get(made)!.replaceAll('-', '_'), new Uint8Array([0xff, 0]), { headers: raw, timeout: 2_000 });
      const [delivery] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      expect(delivery).toMatchObject({ headers: { 'message-name': 'external.command' }, deliveryCount: 1 });
      expect(delivery!.id).toMatch(/^nats:troopy-test-.*:1$/);
      expect([...delivery!.body]).toEqual([0xff, 0]);
      await made.ack(delivery!);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('stores a message sent twice with the same id once (Nats-Msg-Id deduplication)', async () => {
    const made = transport();
    try {
      const message = { id: 'twice', headers: {}, body: new Uint8Array([4]) };
      await made.send([message]);
      await made.send([message]);
      expect((await admin.jsm!.streams.info(created.get(made)!)).state.messages).toBe(1);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('keeps a lease change from receive across a repeated setup, and sets AckWait on the consumer', async () => {
    const made = transport({ leaseMs: 30_000 });
    try {
      await made.setup();
      await made.receive({ max: 1, leaseMs: 1_234, waitMs: 0 });
      await made.setup();
      const info = await admin.jsm!.consumers.info(created.get(made)!, 'workers');
      expect(info.config.ack_wait).toBe(1_234_000_000);
      expect(info.config.max_deliver).toBe(20);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('refuses a stream that exists with another retention, naming it', async () => {
    const made = transport();
    const stream = created.get(made)!;
    try {
      await admin.jsm!.streams.add({ name: stream, subjects: [`${stream.replaceAll('-', '_')}.other`] });
      await expect(made.setup()).rejects.toThrow(/retention "limits".*"workqueue"/);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('moves each due delayed message once, with deliveryCount 1, while several transports receive', async () => {
    const names = unique();
    const movers = Array.from({ length: 4 }, () => transport(names));
    try {
      const notBefore = Date.now() + 400;
      await movers[0]!.send(Array.from({ length: 20 }, (_, index) => ({ id: `d${index}`, headers: {}, body: new Uint8Array([index]), notBefore })));
      const seen: { id: string; count: number; at: number }[] = [];
      const deadline = Date.now() + 5_000;
      await Promise.all(
        movers.map(async (mover) => {
          while (seen.length < 20 && Date.now() < deadline) {
            for (const delivery of await mover.receive({ max: 20, leaseMs: 10_000, waitMs: 300 })) {
              seen.push({ id: delivery.id, count: delivery.deliveryCount, at: Date.now() });
              await mover.ack(delivery);
            }
          }
        }),
      );
      expect(seen.map((entry) => entry.id).sort()).toEqual(Array.from({ length: 20 }, (_, index) => `d${index}`).sort());
      expect(seen.every((entry) => entry.count === 1 && entry.at >= notBefore)).toBe(true);
    } finally {
      await Promise.all(movers.map((mover) => mover.close()));
      await cleanup(movers[0]!);
    }
  });

  it('uses a connection given in the options and leaves it open on close', async () => {
    const connection = await connect({ servers: url });
    const made = transport({ connection });
    try {
      await made.send([{ id: 'given', headers: { h: 'v' }, body: new Uint8Array([5]) }]);
      const [delivery] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 2_000 });
      expect(delivery).toMatchObject({ id: 'given', headers: { h: 'v' } });
      await made.ack(delivery!);
      await made.close();
      expect(connection.isClosed()).toBe(false);
    } finally {
      await connection.close();
      await cleanup(made);
    }
  });

  it('rejects operations after close with TransportClosedError and receives nothing', async () => {
    const made = transport();
    await made.close();
    await expect(made.send([{ id: 'late', headers: {}, body: new Uint8Array() }])).rejects.toThrow(/is closed/);
    expect(await made.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 })).toEqual([]);
  });
});

describe('NatsTransport once closed (no server needed)', () => {
  it('rejects every operation with TransportClosedError naming it, receives nothing and reports failed', async () => {
    const made = new NatsTransport({ servers: '127.0.0.1:1' });
    await made.close();
    const delivery = { id: 'x', headers: {}, body: new Uint8Array(), receipt: '$JS.ACK.troopy-commands.troopy.1.1.1.1.0', deliveryCount: 1 };
    await expect(made.setup()).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.send([])).rejects.toThrow(/send/);
    await expect(made.ack(delivery)).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.retry(delivery, 0, {})).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.deadLetter(delivery, { code: 'c', message: 'm' })).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.extendLease(delivery, 1_000)).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.release(delivery)).rejects.toBeInstanceOf(TransportClosedError);
    await expect(made.deadLetters.list()).rejects.toBeInstanceOf(TransportClosedError);
    expect(await made.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 })).toEqual([]);
    expect(made.health()).toBe('failed');
    await made.close();
  });
});

const natsServer = spawnSync('nats-server', ['--version']).status === 0;
if (!natsServer && process.env.CI) throw new Error('nats-server is required in CI (for the restart test) but is not on the PATH.');
if (!natsServer) console.warn('\n!! SKIPPING the NatsTransport restart test: nats-server is not on the PATH.\n');

describe.skipIf(!natsServer)('NatsTransport across a restart of its own nats-server', () => {
  it('rejects at once while the server is down, reports reconnecting, then resumes pulling with its streams kept', async () => {
    const port = await sparePort();
    const directory = mkdtempSync(join(tmpdir(), 'troopy-nats-restart-'));
    let server: ChildProcess | undefined;
    const start = async (): Promise<void> => {
      server = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', directory], { stdio: 'ignore' });
      for (let tries = 0; !(await requireQuietly(port)); tries++) {
        if (tries > 200) throw new Error('the private nats-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const stop = async (): Promise<void> => {
      const running = server;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    };
    await start();
    const made = new NatsTransport({
      servers: `127.0.0.1:${port}`,
      stream: 'restart',
      subject: 'restart',
      timeoutMs: 1_000,
      connectOptions: { reconnectTimeWait: 100 },
    });
    try {
      await made.send([{ id: 'before', headers: {}, body: new Uint8Array([1]) }]);
      expect(made.health()).toBe('connected');
      await stop();
      await expect.poll(() => made.health(), { timeout: 2_000 }).toBe('reconnecting');
      const started = Date.now();
      await expect(made.send([{ id: 'during', headers: {}, body: new Uint8Array([2]) }])).rejects.toBeInstanceOf(TransportUnavailableError);
      await expect(made.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 })).rejects.toBeInstanceOf(TransportUnavailableError);
      expect(Date.now() - started).toBeLessThan(500);
      await start();
      await expect.poll(() => made.health(), { timeout: 5_000 }).toBe('connected');
      const ids: string[] = [];
      const deadline = Date.now() + 10_000;
      while (!ids.includes('before') && Date.now() < deadline) {
        try {
          for (const delivery of await made.receive({ max: 10, leaseMs: 1_000, waitMs: 500 })) {
            ids.push(delivery.id);
            await made.ack(delivery);
          }
        } catch {
          // JetStream may still be loading its streams just after the restart.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(ids).toEqual(['before']);
    } finally {
      await made.close();
      await stop();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 30_000);
});

/** Whether something accepts connections on the port, without the warnings of requireService. */
function requireQuietly(port: number): Promise<boolean> {
  return connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 500 }).then(
    async (client) => {
      await client.close();
      return true;
    },
    () => false,
  );
}
