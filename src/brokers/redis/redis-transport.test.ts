import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/services.js';
import type { ForeignMessage } from '../../testing/contract-kit.js';
import { transportContract } from '../../testing/transport-contract.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { Delivery, Transport } from '../../transport/transport.js';
import { RedisTransport } from './index.js';
import type { RedisTransportOptions } from './options.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await requireService('redis', url);
const admin = redisUp ? new Redis(url, { lazyConnect: true }) : undefined;
let streams = 0;
const uniqueStream = (): string => `troopy-test:${process.pid}:${Date.now().toString(36)}:${streams++}`;
const keysOf = (stream: string): string[] => [stream, `${stream}:dead`, `${stream}:dead:index`, `${stream}:delayed`];
const created = new Map<Transport, string>();

function transport(options: RedisTransportOptions = {}): RedisTransport {
  const stream = options.stream ?? uniqueStream();
  const made = new RedisTransport({ url, ...options, stream });
  created.set(made, stream);
  return made;
}

async function cleanup(made: Transport): Promise<void> {
  const stream = created.get(made);
  if (stream !== undefined) await admin?.del(...keysOf(stream));
}

afterAll(async () => {
  await admin?.quit();
});

/** The shapes another producer may XADD, with what the README says the transport delivers for each. */
async function writeForeignEntries(made: Transport): Promise<ForeignMessage[]> {
  const stream = created.get(made)!;
  const foreign = { 'redis-entry': 'foreign' };
  await admin!.xadd(stream, '*', 'x', 'bytes');
  await admin!.xadd(stream, '*', 'm', 'no line breaks');
  await admin!.xadd(stream, '*', 'id', 'named-1', 'headers', '{"__proto__":"p","k":"v"}', 'body', 'named');
  return [
    { shape: 'XADD stream * x bytes', headers: foreign, body: Buffer.from('*2\r\n$1\r\nx\r\n$5\r\nbytes\r\n') },
    { shape: 'XADD stream * m "no line breaks"', headers: foreign, body: Buffer.from('*2\r\n$1\r\nm\r\n$14\r\nno line breaks\r\n') },
    {
      shape: 'XADD with the named fields id, headers (with __proto__) and body',
      headers: JSON.parse('{"__proto__":"p","k":"v"}') as Record<string, string>,
      body: Buffer.from('named'),
    },
  ];
}

describe.skipIf(!redisUp)('RedisTransport on a real Redis', () => {
  transportContract({ name: 'RedisTransport', create: () => Promise.resolve(transport()), cleanup, describe, it, writeForeign: writeForeignEntries });

  it('counts deliveries from the pending list when an expired lease is reclaimed by another consumer', async () => {
    const stream = uniqueStream();
    const [first, second] = [transport({ stream, consumer: 'first' }), transport({ stream, consumer: 'second' })];
    try {
      await first.setup();
      await first.send([{ id: 'm1', headers: {}, body: new Uint8Array([1]) }]);
      const [taken] = await first.receive({ max: 1, leaseMs: 200, waitMs: 1_000 });
      expect(taken?.deliveryCount).toBe(1);
      expect(await second.receive({ max: 1, leaseMs: 200, waitMs: 0 })).toEqual([]);
      const [reclaimed] = await second.receive({ max: 1, leaseMs: 200, waitMs: 2_000 });
      expect(reclaimed).toMatchObject({ id: 'm1', receipt: taken?.receipt, deliveryCount: 2 });
      const pending = (await admin!.xpending(stream, 'troopy', '-', '+', 10)) as [string, string, number, number][];
      expect(pending).toEqual([[taken!.receipt, 'second', expect.any(Number), 2]]);
      await first.extendLease(taken!, 200);
      expect(((await admin!.xpending(stream, 'troopy', '-', '+', 10)) as unknown[][])[0]?.[1]).toBe('second');
    } finally {
      await Promise.all([first.close(), second.close()]);
      await admin!.del(...keysOf(stream));
    }
  });

  it('moves a due delayed message exactly once when many consumers move at the same time', async () => {
    const stream = uniqueStream();
    const movers = Array.from({ length: 6 }, () => transport({ stream }));
    try {
      await movers[0]!.setup();
      const notBefore = Date.now() + 300;
      await movers[0]!.send(Array.from({ length: 20 }, (_, index) => ({ id: `d${index}`, headers: {}, body: new Uint8Array([index]), notBefore })));
      expect(await admin!.zcard(`${stream}:delayed`)).toBe(20);
      const received = await Promise.all(movers.map((mover) => mover.receive({ max: 20, leaseMs: 10_000, waitMs: 1_000 })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const more = await Promise.all(movers.map((mover) => mover.receive({ max: 20, leaseMs: 10_000, waitMs: 0 })));
      const ids = [...received, ...more].flat().map((delivery) => delivery.id);
      expect(ids.sort()).toEqual(Array.from({ length: 20 }, (_, index) => `d${index}`).sort());
      expect(await admin!.xlen(stream)).toBe(20);
      expect(await admin!.zcard(`${stream}:delayed`)).toBe(0);
    } finally {
      await Promise.all(movers.map((mover) => mover.close()));
      await admin!.del(...keysOf(stream));
    }
  });

  it('deletes acked entries below the oldest pending one and leaves unacked ones pending', async () => {
    const made = transport();
    try {
      await made.setup();
      await made.send([1, 2, 3].map((n) => ({ id: `t${n}`, headers: {}, body: new Uint8Array([n]) })));
      const deliveries = await made.receive({ max: 3, leaseMs: 10_000, waitMs: 1_000 });
      await made.ack(deliveries[0]!);
      const stream = created.get(made)!;
      expect(await admin!.xlen(stream)).toBe(2);
      expect((await admin!.xpending(stream, 'troopy'))[0]).toBe(2);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('recreates a consumer group that vanished (Redis restarted without persistence)', async () => {
    const made = transport();
    try {
      await made.setup();
      await admin!.del(created.get(made)!);
      const pending = made.receive({ max: 1, leaseMs: 1_000, waitMs: 3_000 });
      await made.send([{ id: 'after-loss', headers: {}, body: new Uint8Array([7]) }]);
      expect((await pending).map((delivery) => delivery.id)).toEqual(['after-loss']);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('uses a client given in the options and leaves it open on close', async () => {
    const client = new Redis(url);
    const stream = uniqueStream();
    const made = new RedisTransport({ client, stream });
    try {
      await made.setup();
      await made.send([{ id: 'given', headers: { a: 'b' }, body: new Uint8Array([5]) }]);
      const [received] = await made.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 });
      expect(received).toMatchObject({ id: 'given', headers: { a: 'b' }, deliveryCount: 1 });
      await made.ack(received!);
      await made.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await admin!.del(...keysOf(stream));
      await client.quit();
    }
  });

  it('gives every body back byte for byte, UTF-8 text or not, in one batch', async () => {
    const made = transport();
    const bodies = [
      new TextEncoder().encode('{"text":"zażółć 🚀"}'),
      new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // a byte order mark
      new Uint8Array([0x22, 0xff, 0xfe, 0x22]), // not UTF-8
      new Uint8Array([0xed, 0xa0, 0x80]), // an encoded surrogate, not UTF-8
      new Uint8Array(),
      new Uint8Array(20_000).fill(0x61), // text too large to be checked
      new TextEncoder().encode('x'.repeat(16 * 1024)),
    ];
    try {
      await made.setup();
      await made.send(bodies.map((body, index) => ({ id: `m${index}`, headers: { index: String(index) }, body })));
      const received = await made.receive({ max: bodies.length, leaseMs: 30_000, waitMs: 1_000 });
      expect(received.map((delivery) => [delivery.id, delivery.headers, [...delivery.body]])).toEqual(
        bodies.map((body, index) => [`m${index}`, { index: String(index) }, [...body]]),
      );
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('keeps every byte of an entry in neither layout: delivered whole with its fields as RESP, dead-lettered, retried and redriven with them', async () => {
    const made = transport();
    const stream = created.get(made)!;
    const resp = (...parts: string[]): string => `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
    try {
      await made.setup();
      await admin!.xadd(stream, '*', 'x', 'bytes');
      await admin!.xadd(stream, '*', 'id', 'm1', 'headers', '{"a":"1","b":2}', 'body', 'x');
      await admin!.xadd(stream, '*', 'headers', '[1]', 'body', 'y', 'body', 'z');
      await admin!.xadd(stream, '*', 'id', 'm2', 'headers', '{"__proto__":"x","k":"v"}', 'body', 'named');
      const deliveries = await made.receive({ max: 4, leaseMs: 30_000, waitMs: 1_000 });
      expect(deliveries.map((delivery) => Buffer.from(delivery.body).toString())).toEqual([
        resp('x', 'bytes'),
        resp('id', 'm1', 'headers', '{"a":"1","b":2}', 'body', 'x'),
        resp('headers', '[1]', 'body', 'y', 'body', 'z'),
        'named',
      ]);
      const [bare, , , named] = deliveries as [Delivery, Delivery, Delivery, Delivery];
      expect(bare).toMatchObject({ id: bare.receipt, headers: { 'redis-entry': 'foreign' } });
      expect(Object.keys(named.headers)).toEqual(['__proto__', 'k']);
      expect(named.headers['__proto__']).toBe('x');

      await made.deadLetter(bare, { code: 'undecodable', message: 'not a troopy entry' });
      const letter = await made.deadLetters.get(bare.id);
      expect(Buffer.from(letter!.body).toString()).toBe(resp('x', 'bytes'));
      expect(letter!.headers).toEqual({ 'redis-entry': 'foreign' });
      expect(await made.deadLetters.redrive([bare.id])).toBe(1);
      const [redriven] = await made.receive({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
      expect(redriven).toMatchObject({ id: bare.id, headers: { 'redis-entry': 'foreign' } });
      expect(Buffer.from(redriven!.body).toString()).toBe(resp('x', 'bytes'));
      await made.retry(redriven!, 0, { ...redriven!.headers, attempt: '2' });
      const [retried] = await made.receive({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
      expect(retried).toMatchObject({ id: bare.id, headers: { 'redis-entry': 'foreign', attempt: '2' } });
      expect(Buffer.from(retried!.body).toString()).toBe(resp('x', 'bytes'));
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('writes each message as one `m` field (id, headers, body on lines of their own), and reads a frame without them as a foreign entry', async () => {
    const made = transport();
    const stream = created.get(made)!;
    try {
      await made.setup();
      await made.send([{ id: 'm-1', headers: { a: '1' }, body: new Uint8Array([0xff, 10, 0]) }]);
      const [entry] = (await admin!.xrangeBuffer(stream, '-', '+')) as [Buffer, Buffer[]][];
      expect(entry![1].map((part) => part.toString('latin1'))).toEqual(['m', 'm-1\n{"a":"1"}\n\xff\n\x00']);
      await admin!.xadd(stream, '*', 'm', 'no line breaks');
      const [framed, bare] = await made.receive({ max: 2, leaseMs: 30_000, waitMs: 1_000 });
      expect(framed).toMatchObject({ id: 'm-1', headers: { a: '1' } });
      expect([...framed!.body]).toEqual([0xff, 10, 0]);
      expect(bare).toMatchObject({ id: bare!.receipt, headers: { 'redis-entry': 'foreign' } });
      expect(new TextDecoder().decode(bare!.body)).toBe('*2\r\n$1\r\nm\r\n$14\r\nno line breaks\r\n');
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('sends a batch larger than one add script in order, with a delayed message among them', async () => {
    const made = transport();
    const messages = Array.from({ length: 1_201 }, (_, index) => ({ id: `m${index}`, headers: { index: String(index) }, body: new Uint8Array([index % 256]) }));
    const delayed = { ...messages[600]!, notBefore: Date.now() + 300 };
    try {
      await made.setup();
      await made.send(messages.map((message, index) => (index === 600 ? delayed : message)));
      const received: string[] = [];
      while (received.length < messages.length) {
        const batch = await made.receive({ max: 500, leaseMs: 30_000, waitMs: 2_000 });
        expect(batch.length).toBeGreaterThan(0);
        for (const delivery of batch) {
          received.push(delivery.id);
          await made.ack(delivery);
        }
      }
      const immediate = messages.filter((_, index) => index !== 600).map((message) => message.id);
      expect(received).toEqual([...immediate, 'm600']);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('trims acked entries from the head of the stream, never a pending entry or one not yet delivered', async () => {
    const made = transport();
    const stream = created.get(made)!;
    try {
      await made.setup();
      await made.send([1, 2, 3, 4].map((n) => ({ id: `e${n}`, headers: {}, body: new Uint8Array([n]) })));
      const [first, second] = await made.receive({ max: 2, leaseMs: 30_000, waitMs: 1_000 });
      await made.ack(second!);
      expect(await admin!.xlen(stream), 'e1 pending: nothing below it to trim').toBe(4);
      await made.ack(first!);
      const deadline = Date.now() + 3_000;
      while ((await admin!.xlen(stream)) > 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await admin!.xlen(stream), 'e1 and e2 trimmed by the trim that follows the acks').toBe(2);
      const rest = await made.receive({ max: 10, leaseMs: 30_000, waitMs: 1_000 });
      expect(rest.map((delivery) => delivery.id)).toEqual(['e3', 'e4']);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('acks more deliveries at once than one ack script takes', async () => {
    const made = transport();
    const stream = created.get(made)!;
    try {
      await made.setup();
      await made.send(Array.from({ length: 2_500 }, (_, index) => ({ id: `m${index}`, headers: {}, body: new Uint8Array([1]) })));
      const deliveries = [];
      while (deliveries.length < 2_500) deliveries.push(...(await made.receive({ max: 1_000, leaseMs: 30_000, waitMs: 1_000 })));
      await Promise.all(deliveries.map((delivery) => made.ack(delivery)));
      expect((await admin!.xpending(stream, 'troopy'))[0]).toBe(0);
      expect(await admin!.xlen(stream)).toBe(0);
    } finally {
      await made.close();
      await cleanup(made);
    }
  });

  it('leaves no timer behind once closed, so a process exits as soon as it closes its transport', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const made = transport();
    await made.setup();
    await made.send([{ id: 'm1', headers: {}, body: new Uint8Array([1]) }]);
    const [delivery] = await made.receive({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
    await made.ack(delivery!);
    await made.close();
    await cleanup(made);
    // ioredis clears its own disconnect timer once each socket has closed, a moment later.
    for (const deadline = Date.now() + 800; timers() > before && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('reports health from the connections', async () => {
    const made = transport();
    try {
      await made.setup();
      expect(made.health()).toBe('connected');
    } finally {
      await made.close();
      await cleanup(made);
    }
  });
});

describe('RedisTransport without Redis', () => {
  it('rejects a send within a couple of seconds with a clear error when Redis is down', async () => {
    const down = new RedisTransport({ url: 'redis://127.0.0.1:6399', stream: 'troopy-test:down' });
    try {
      const started = Date.now();
      const error: unknown = await down.send([{ id: 'lost?', headers: {}, body: new Uint8Array([1]) }]).catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toBeInstanceOf(TransportUnavailableError);
      expect((error as Error).message).toMatch(/send a message.*redis:troopy-test:down.*127\.0\.0\.1:6399/);
      const again: unknown = await down.send([{ id: 'lost?', headers: {}, body: new Uint8Array([1]) }]).catch((caught: unknown) => caught);
      expect(again).toBeInstanceOf(TransportUnavailableError);
      expect(down.health()).not.toBe('connected');
    } finally {
      await down.close();
    }
  });

  it('names the option in TypeErrors', () => {
    expect(() => new RedisTransport({ blockMs: 0 })).toThrow('RedisTransport option "blockMs" must be an integer >= 1 (milliseconds); got the number 0.');
    expect(() => new RedisTransport({ stream: '' })).toThrow('option "stream"');
    expect(() => new RedisTransport({ url: 'http://x' })).toThrow('option "url"');
    expect(() => new RedisTransport({ url: 'redis://x', client: {} as never })).toThrow('"url" and "client"');
  });
});
