import type { DeadLetterReason, Delivery } from '../../transport/transport.js';
import { evalsha, redisScript, type RedisCommand, type RedisConnection } from './connection.js';
import { delayedToken, luaFrame, RedisDelivery, toBuffer } from './wire.js';
import type { ResolvedRedisOptions } from './options.js';

/** The most entries one XACK takes. */
const ACK_BATCH = 1_000;

/**
 * Deletes the settled head of the stream: every entry below the oldest pending one (XTRIM
 * MINID), or, with nothing pending, up to the last entry the group was given. Entries below
 * both were delivered and are no longer pending, so they are settled; a pending entry, or one
 * not yet delivered, is never trimmed. One group per stream is assumed, as everywhere.
 */
const trimScript = redisScript(`
local floor = redis.call('XPENDING', KEYS[1], ARGV[1])[2]
if not floor then
  for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local name, last
    for i = 1, #group - 1, 2 do
      if group[i] == 'name' then name = group[i + 1] elseif group[i] == 'last-delivered-id' then last = group[i + 1] end
    end
    if name == ARGV[1] and last then
      local ms, seq = string.match(last, '^(%d+)-(%d+)$')
      if ms then floor = ms .. '-' .. string.format('%d', tonumber(seq) + 1) end
    end
  end
end
if not floor then return 0 end
return redis.call('XTRIM', KEYS[1], 'MINID', floor)`);

/** How often, at most, acks are followed by a trim of the settled entries. */
const TRIM_EVERY_MS = 1_000;

/**
 * Settles the entry and schedules the message again with new headers and the body it was
 * delivered with (ARGV[7]: the entry's bytes, whatever its layout, so a foreign entry keeps
 * them all), in one step: with no delay straight back on the stream, else in the delayed set
 * at Redis's TIME + delay. Does nothing unless the entry is still pending (XACK answers 0).
 */
const retryScript = redisScript(`${luaFrame}
local message = frame(ARGV[3], ARGV[5], ARGV[7])
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
local delay = tonumber(ARGV[4])
if delay <= 0 then
  redis.call('XADD', KEYS[1], '*', 'm', message)
else
  local t = redis.call('TIME')
  local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + delay
  redis.call('ZADD', KEYS[2], due, ARGV[6] .. '\\n' .. message)
end
return 1`);

/**
 * Settles the entry and adds it to the dead-letter stream in one step, with the headers
 * (ARGV[8]: as delivered, or those given) and the body it was delivered with (ARGV[9]: the
 * entry's bytes, whatever its layout, so a foreign entry keeps them all) and the reason. An
 * older dead letter with the same message id is replaced. Dead letters keep named fields (`id`,
 * `headers`, `body`, `reason-code`, ...). Does nothing unless the entry is still pending.
 */
const deadLetterScript = redisScript(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
local older = redis.call('HGET', KEYS[3], ARGV[3])
if older then redis.call('XDEL', KEYS[2], older) end
local added = redis.call('XADD', KEYS[2], '*', 'id', ARGV[3], 'headers', ARGV[8],
  'body', ARGV[9], 'reason-code', ARGV[4], 'reason-message', ARGV[5],
  'failed-at', ARGV[6], 'delivery-count', ARGV[7])
redis.call('HSET', KEYS[3], ARGV[3], added)
return 1`);

/**
 * Sets the idle time of a pending entry to ARGV[4] ms, only while this consumer owns it:
 * 0 renews the lease (extendLease), a huge value makes it claimable at once (release).
 * JUSTID keeps the delivery count as it is.
 */
const leaseScript = redisScript(`
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if not pending[1] or pending[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'IDLE', ARGV[4], 'JUSTID')
return 1`);

/** Acks that go to Redis in one XACK, and the promise they share. */
class AckGroup {
  /** The entry ids. */
  readonly receipts: string[] = [];
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** An idle time longer than any lease (about 31 years), yet below the current epoch, which XCLAIM requires. */
const RELEASED_IDLE_MS = 1e12;

/** What happens to a delivery once handled: ack, retry, dead-letter, extend its lease, release it. */
export class RedisOutcomes {
  readonly #connection: RedisConnection;
  readonly #options: ResolvedRedisOptions;
  /** Acks waiting for the next flush, in groups of at most ACK_BATCH that share one XACK and one promise. */
  #acks: AckGroup[] = [];
  /** When the next trim is due (epoch ms). */
  #trimAt = 0;
  /** The trim that follows the last acks, when no later flush is due to make it. */
  #trimTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(connection: RedisConnection, options: ResolvedRedisOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  /**
   * Acks in the same turn of the event loop (concurrent handlers finishing) go in one XACK and
   * share the promise that settles with it: one promise per batch, not per ack. Acked entries
   * are deleted by a trim of the stream's settled head (see `trimScript`), at most once a
   * second, after the acks; the stream is never trimmed by length, so no pending entry is
   * ever dropped.
   */
  ack(delivery: Delivery): Promise<void> {
    if (this.#acks.length === 0) setImmediate(() => void this.#flushAcks());
    let last = this.#acks.at(-1);
    if (last === undefined || last.receipts.length >= ACK_BATCH) this.#acks.push((last = new AckGroup()));
    last.receipts.push(delivery.receipt);
    return last.promise;
  }

  /** Stops the trim timer; settled entries left are trimmed by the stream's next acks. */
  close(): void {
    clearTimeout(this.#trimTimer);
    this.#trimTimer = undefined;
  }

  async #flushAcks(): Promise<void> {
    const waiting = this.#acks;
    this.#acks = [];
    const { stream, group } = this.#options;
    for (const [index, batch] of waiting.entries()) {
      const commands: RedisCommand[] = [['XACK', stream, group, ...batch.receipts]];
      if (index === waiting.length - 1 && this.#trimDue()) commands.push(evalsha(trimScript, [stream], [group]));
      await this.#connection.pipeline('ack', commands).then(() => {
        batch.resolve();
      }, batch.reject);
    }
  }

  /** Whether a trim is due now; if not, makes sure one follows when it is. */
  #trimDue(): boolean {
    const now = Date.now();
    if (now >= this.#trimAt) {
      this.#trimAt = now + TRIM_EVERY_MS;
      return true;
    }
    this.#trimTimer ??= setTimeout(() => {
      this.#trimTimer = undefined;
      const { stream, group } = this.#options;
      this.#trimAt = Date.now() + TRIM_EVERY_MS;
      // Best effort: settled entries left behind are trimmed by a later one.
      this.#connection.script('trim', trimScript, [stream], [group]).catch(() => undefined);
    }, this.#trimAt - now);
    this.#trimTimer.unref();
    return false;
  }

  async retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    const { stream, group, delayedKey } = this.#options;
    // The delayed member separates its parts with line breaks, so the id must have none.
    const id = delivery.id.replace(/[\r\n]/g, ' ');
    const args = [group, delivery.receipt, id, Math.ceil(delayMs), JSON.stringify(headers), delayedToken(), toBuffer(delivery.body)];
    await this.#connection.script('retry', retryScript, [stream, delayedKey], args);
  }

  async deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    const { stream, group, deadLetterStream, deadLetterIndex } = this.#options;
    const args = [
      group,
      delivery.receipt,
      delivery.id,
      reason.code,
      reason.message,
      Date.now(),
      delivery.deliveryCount,
      JSON.stringify(headers ?? delivery.headers),
      toBuffer(delivery.body),
    ];
    await this.#connection.script('dead-letter', deadLetterScript, [stream, deadLetterStream, deadLetterIndex], args);
  }

  /**
   * Renews the lease for `leaseMs` more: sets the entry's idle time so that other consumers, who
   * reclaim after the lease it was received with, take it back no sooner (0 for a delivery this
   * transport did not make, whose lease is unknown).
   */
  async extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    const receivedLeaseMs = RedisDelivery.leaseOf(delivery);
    const idle = receivedLeaseMs === undefined ? 0 : Math.max(0, Math.floor(receivedLeaseMs - leaseMs));
    await this.#lease('extend a lease', delivery, idle);
  }

  async release(delivery: Delivery): Promise<void> {
    await this.#lease('release', delivery, RELEASED_IDLE_MS);
  }

  async #lease(operation: string, delivery: Delivery, idleMs: number): Promise<void> {
    const { stream, group, consumer } = this.#options;
    await this.#connection.script(operation, leaseScript, [stream], [group, consumer, delivery.receipt, idleMs]);
  }
}
