import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMessageIdGenerator, newMessageId } from './message-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newMessageId', () => {
  it('returns UUIDv7 strings: version 7, RFC variant, lowercase hex', () => {
    const ids = Array.from({ length: 1000 }, () => newMessageId());
    expect(ids.filter((id) => !UUID_V7.test(id))).toEqual([]);
  });

  it('returns strictly increasing, unique ids in one process', () => {
    const ids = Array.from({ length: 10_000 }, () => newMessageId());
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as string))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts with the current Unix time in milliseconds', () => {
    const before = Date.now();
    const id = newMessageId();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });
});

describe('createMessageIdGenerator', () => {
  it('lays out 48 bits of time, the version, a counter, the variant and random bits', () => {
    vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array).fill(0);
      return array;
    });
    const next = createMessageIdGenerator(() => 0x0123456789ab);
    expect(next()).toBe('01234567-89ab-7000-8000-000000000000');
    expect(next()).toBe('01234567-89ab-7000-8000-000100000000');
  });

  it('takes its randomness from crypto.getRandomValues', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    createMessageIdGenerator()();
    expect(spy).toHaveBeenCalled();
  });

  it('stays strictly increasing within one millisecond', () => {
    const next = createMessageIdGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5_000 }, next);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as string))).toBe(true);
    expect(ids.every((id) => timeOf(id) === 1_700_000_000_000)).toBe(true);
  });

  it('keeps the last time when the clock steps back, so ids never go backwards', () => {
    const times = [2_000, 1_000, 1_500];
    const next = createMessageIdGenerator(() => times.shift() ?? 0);
    const [a, b, c] = [next(), next(), next()];
    expect(b > a && c > b).toBe(true);
    expect([a, b, c].map(timeOf)).toEqual([2_000, 2_000, 2_000]);
  });

  it('sorts ids of a later millisecond after those of an earlier one', () => {
    let now = 5_000;
    const next = createMessageIdGenerator(() => now);
    const early = Array.from({ length: 100 }, next);
    now = 5_001;
    const late = next();
    expect(early.every((id) => id < late)).toBe(true);
    expect(timeOf(late)).toBe(5_001);
  });

  it('rejects a clock that is not a function with a TypeError', () => {
    expect(() => createMessageIdGenerator(42 as never)).toThrow(/createMessageIdGenerator expects clock to be a function.*got the number 42/);
  });
});
