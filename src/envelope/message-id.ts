import { describe } from '../describe.js';

/** Bits of the per-millisecond counter: the 12 `rand_a` bits plus the top 30 bits of `rand_b`. */
const COUNTER_BITS = 42;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;
const LOW_30 = 2 ** 30;
const POOL_IDS = 128;

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Makes a generator of UUIDv7 message ids (RFC 9562): 48 bits of Unix milliseconds, then a
 * 42-bit counter, then 32 random bits, printed as lowercase `8-4-4-4-12` hex.
 *
 * Ids from one generator are strictly increasing, as strings and as bytes, even within one
 * millisecond and when the clock steps back: the counter starts at a random value each new
 * millisecond and counts up within it; a clock behind the last id keeps the last id's time;
 * a counter that runs out moves the time one millisecond ahead. Randomness comes from
 * `globalThis.crypto.getRandomValues`, so this runs in browsers, workers and Node alike.
 *
 * @param clock - returns the current time in epoch milliseconds. @default Date.now
 * @throws {TypeError} when `clock` is not a function.
 * @example
 * const nextId = createMessageIdGenerator();
 * nextId(); // '0192f3a1-7c4e-7a01-8c3f-2b9d4e5f6a7b'
 */
export function createMessageIdGenerator(clock: () => number = Date.now): () => string {
  if (typeof clock !== 'function') {
    throw new TypeError(`createMessageIdGenerator expects clock to be a function returning epoch milliseconds; got ${describe(clock)}.`);
  }
  // Random words are drawn in batches: one getRandomValues call per POOL_IDS ids.
  const pool = new Uint32Array(POOL_IDS * 3);
  let next = pool.length;
  let lastMs = 0;
  let counter = 0;

  return () => {
    if (next === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      next = 0;
    }
    const seedHigh = pool[next] ?? 0;
    const seedLow = pool[next + 1] ?? 0;
    const tail = pool[next + 2] ?? 0;
    next += 3;
    const now = Math.floor(clock());
    if (now > lastMs) {
      lastMs = now;
      // 41 random bits: the counter starts in the lower half of its range, so it can always count on.
      counter = seedHigh * 512 + (seedLow >>> 23);
    } else if (++counter >= COUNTER_LIMIT) {
      lastMs += 1;
      counter = 0;
    }
    return format(lastMs, counter, tail);
  };
}

let prefixMs = -1;
let prefix = '';

/**
 * The id's text. The time part (`tttttttt-tttt-`) is made once per millisecond, and the rest in
 * flat pieces of at most 12 characters: a string built in many small steps would be a chain of
 * rope nodes, several hundred bytes to flatten for every id.
 */
function format(ms: number, counter: number, tail: number): string {
  const b = HEX;
  if (ms !== prefixMs) {
    const msHigh = Math.floor(ms / 2 ** 32);
    const msLow = ms % 2 ** 32;
    prefix = `${b[(msHigh >>> 8) & 0xff]}${b[msHigh & 0xff]}${b[msLow >>> 24]}${b[(msLow >>> 16) & 0xff]}-${b[(msLow >>> 8) & 0xff]}${b[msLow & 0xff]}-`;
    prefixMs = ms;
  }
  const high = Math.floor(counter / LOW_30);
  const low = counter % LOW_30;
  const middle = `${b[0x70 | (high >>> 8)]}${b[high & 0xff]}-${b[0x80 | (low >>> 24)]}${b[(low >>> 16) & 0xff]}-`;
  const end = `${b[(low >>> 8) & 0xff]}${b[low & 0xff]}${b[tail >>> 24]}${b[(tail >>> 16) & 0xff]}${b[(tail >>> 8) & 0xff]}${b[tail & 0xff]}`;
  return prefix + middle + end;
}

/**
 * Returns a new UUIDv7 message id: time-sortable, unique, strictly increasing within this
 * process (see {@link createMessageIdGenerator} for the layout and the rules).
 *
 * @example
 * const id = newMessageId(); // '0192f3a1-7c4e-7a01-8c3f-2b9d4e5f6a7b'
 */
export const newMessageId: () => string = createMessageIdGenerator();
