import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import { evalsha, redisScript, withinMs, type RedisCommand, type RedisConnection } from './connection.js';
import type { RedisDelayedMessages } from './delayed.js';
import { parsePromote } from './delayed.js';
import { deliveryOf, list, text } from './wire.js';
import type { ResolvedRedisOptions } from './options.js';
import { isMissingGroup } from './setup.js';

/**
 * Reclaims, then reads: takes up to `max` deliveries in one step, first entries whose lease
 * expired (XAUTOCLAIM with min-idle = the lease, which also counts the delivery; the count is
 * read from the pending list), then new entries (XREADGROUP without BLOCK). Replies in one
 * flat list: `{next cursor, entry, delivery count, entry, delivery count, ...}`, each entry as
 * Redis gives it (`[id, [field, value, ...]]`), read by `deliveryOf` as a plain read is. Runs
 * only when a receive reclaims (see RECLAIM_EVERY_MS): a plain XREADGROUP costs Redis half as much.
 */
const takeScript = redisScript(`
local max = tonumber(ARGV[5])
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', max)
local out = { claimed[1] }
local taken = 0
local function add(entry, count)
  local n = #out
  out[n + 1] = entry; out[n + 2] = count
  taken = taken + 1
end
for _, entry in ipairs(claimed[2]) do
  if type(entry) == 'table' and type(entry[2]) == 'table' then
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
    add(entry, pending[1] and pending[1][4] or 1)
  end
end
if taken < max then
  local fresh = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', max - taken, 'STREAMS', KEYS[1], '>')
  if fresh then
    for _, entry in ipairs(fresh[1][2]) do add(entry, 1) end
  end
end
return out
`);

/**
 * How often a busy consumer looks for expired leases, at most: other receives read new entries
 * with a plain XREADGROUP, which costs Redis half as much per entry as the reclaiming script.
 * An idle consumer reclaims on every look, so a released entry is taken back at once.
 */
const RECLAIM_EVERY_MS = 250;

/** Removes this consumer from the group, but only while it has no pending entries (deleting it would drop them). */
const leaveScript = redisScript(`
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1`);

/** The deliveries in an XREADGROUP reply for one stream, new entries (delivered once). */
function readDeliveries(reply: unknown, leaseMs: number): Delivery[] {
  const [streamReply] = list(reply);
  const [, entries] = list(streamReply);
  const deliveries: Delivery[] = [];
  for (const entry of list(entries)) {
    const received = deliveryOf(entry, 1, leaseMs);
    if (received !== undefined) deliveries.push(received);
  }
  return deliveries;
}

/**
 * Receives from the stream for one consumer. A receive first moves due delayed messages and
 * reads new entries in one round trip, and also reclaims expired ones when it has not for
 * {@link RECLAIM_EVERY_MS} or found nothing new; if there are none it blocks on the blocking
 * connection for at most `blockMs` (or until the next delayed message is due), then looks
 * again, until `waitMs` has passed. Receives on one transport run one at a time.
 */
export class RedisReceiver {
  readonly #connection: RedisConnection;
  readonly #options: ResolvedRedisOptions;
  readonly #delayed: RedisDelayedMessages;
  readonly #recreate: () => Promise<void>;
  #cursor = '0-0';
  /** When the next receive reclaims expired entries (epoch ms); 0 for the next one. */
  #reclaimAt = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #blocking = false;
  #closed = false;
  #joined = false;

  /** @param recreate restores a missing stream or group (the transport's `setup`). */
  constructor(connection: RedisConnection, options: ResolvedRedisOptions, delayed: RedisDelayedMessages, recreate: () => Promise<void>) {
    this.#connection = connection;
    this.#options = options;
    this.#delayed = delayed;
    this.#recreate = recreate;
  }

  /** Leases up to `max` deliveries, waiting up to `waitMs`. */
  receive(options: ReceiveOptions): Promise<Delivery[]> {
    const deadline = Date.now() + options.waitMs;
    this.#joined = true;
    const run = this.#queue.then(() => this.#receive(options, deadline));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Ends pending and later receives with no deliveries, and leaves the group if this consumer holds nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#interrupt();
    await withinMs(this.#queue, 1_000);
    if (!this.#joined) return;
    const { stream, group, consumer } = this.#options;
    // Best effort: a consumer left behind only clutters XINFO CONSUMERS.
    await this.#connection.script('leave the group', leaveScript, [stream], [group, consumer]).catch(() => undefined);
  }

  async #receive(options: ReceiveOptions, deadline: number): Promise<Delivery[]> {
    let recreated = false;
    for (;;) {
      if (this.#closed || options.signal?.aborted === true) return [];
      let nextDueInMs: number | undefined;
      try {
        const taken = await this.#take(options);
        if (taken.deliveries.length > 0) return taken.deliveries;
        nextDueInMs = taken.nextDueInMs;
      } catch (error) {
        if (recreated || !isMissingGroup(error)) throw error;
        recreated = true;
        await this.#recreate();
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      const blockMs = Math.ceil(Math.min(remaining, this.#options.blockMs, nextDueInMs ?? Infinity));
      if (blockMs < 1) continue;
      const fresh = await this.#block(options, blockMs);
      if (fresh.length > 0) return fresh;
    }
  }

  async #take(options: ReceiveOptions): Promise<{ deliveries: Delivery[]; nextDueInMs: number | undefined }> {
    const reclaim = Date.now() >= this.#reclaimAt;
    const taken = await this.#look(options, reclaim);
    if (taken.deliveries.length > 0 || reclaim) return taken;
    // Nothing new: look for expired leases before waiting.
    return this.#look(options, true);
  }

  /** One round trip: moves due delayed messages, then reads new entries, after reclaiming expired ones if `reclaim`. */
  async #look({ max, leaseMs }: ReceiveOptions, reclaim: boolean): Promise<{ deliveries: Delivery[]; nextDueInMs: number | undefined }> {
    const { stream, group, consumer } = this.#options;
    const read: RedisCommand = reclaim
      ? evalsha(takeScript, [stream], [group, consumer, Math.ceil(leaseMs), this.#cursor, max])
      : ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', max, 'STREAMS', stream, '>'];
    const [promoted, taken] = await this.#connection.pipeline('receive', [this.#delayed.promoteCommand(100), read]);
    const deliveries = reclaim ? this.#claimed(taken, leaseMs) : readDeliveries(taken, leaseMs);
    if (reclaim) this.#reclaimAt = this.#reclaimAgain(deliveries) ? 0 : Date.now() + Math.min(RECLAIM_EVERY_MS, leaseMs / 4);
    return { deliveries, nextDueInMs: parsePromote(promoted).nextDueInMs };
  }

  /**
   * Whether the next receive should reclaim too: when this one found nothing at all, claimed an
   * expired entry (there may be more than it had room for), or stopped its scan of the pending
   * list midway.
   */
  #reclaimAgain(deliveries: readonly Delivery[]): boolean {
    return deliveries.length === 0 || this.#cursor !== '0-0' || deliveries.some((delivery) => delivery.deliveryCount > 1);
  }

  /** The deliveries in the take script's flat reply; remembers its XAUTOCLAIM cursor. */
  #claimed(reply: unknown, leaseMs: number): Delivery[] {
    const items = list(reply);
    this.#cursor = text(items[0]) || '0-0';
    const deliveries: Delivery[] = [];
    for (let index = 1; index + 1 < items.length; index += 2) {
      const delivery = deliveryOf(items[index], Number(items[index + 1]), leaseMs);
      if (delivery !== undefined) deliveries.push(delivery);
    }
    return deliveries;
  }

  async #block({ max, leaseMs, signal }: ReceiveOptions, blockMs: number): Promise<Delivery[]> {
    const { stream, group, consumer } = this.#options;
    const interrupt = (): void => void this.#interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    this.#blocking = true;
    try {
      const reply = await this.#connection.block('receive', ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', max, 'BLOCK', blockMs, 'STREAMS', stream, '>']);
      return readDeliveries(reply, leaseMs);
    } catch (error) {
      if (this.#closed) return [];
      throw error;
    } finally {
      this.#blocking = false;
      signal?.removeEventListener('abort', interrupt);
    }
  }

  /** Unblocks a blocking read in progress; retries briefly in case the read was still on its way. */
  async #interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 20 && this.#blocking; attempt++) {
      if (await this.#connection.unblock()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
