import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DecodeError } from './codec.js';
import { JsonCodec } from './json-codec.js';

const codec = new JsonCodec({ maxBytes: 64 * 1024, maxDepth: 8 });
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const TAGS = ['$date', '$bigint', '$map', '$set', '$bytes', '$undefined', '$number', '$object'];
const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();
const keysBefore = prototypeKeys();

/** Object keys as users write them, some looking like tags (so the writer must escape them); never a forbidden key. */
const key = fc
  .oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom(...TAGS, '$', '$x', 'a'),
    fc.string({ maxLength: 4 }).map((text) => `$${text}`),
  )
  .filter((text) => !FORBIDDEN.has(text));

/** Every kind of value JsonCodec promises to give back equal. */
const { payload } = fc.letrec<{ payload: unknown; item: unknown; field: unknown }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('item'), { maxLength: 4 }),
    fc.dictionary(key, tie('field'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(tie('item'), tie('item')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie('item'), { maxLength: 3 }).map((items) => new Set(items)),
  ),
  // Inside an array (or a map or set) undefined is kept; as an object's field it is left out.
  item: fc.oneof({ depthSize: 'small' }, tie('field'), fc.constant(undefined)),
  payload: tie('item'),
}));

/** Data of JSON's own kinds (plus numbers JSON cannot hold: NaN, ±Infinity, -0), which the encoder's fast path takes. */
const { plainData } = fc.letrec<{ plainData: unknown }>((tie) => ({
  plainData: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.double(),
    fc.constantFrom(-0, Number.NaN, Infinity, -Infinity),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('plainData'), { maxLength: 4 }),
    fc.dictionary(key, tie('plainData'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

/** JSON text with tags, forbidden keys and duplicate keys in it, written by hand (an object literal would turn `__proto__` into a prototype). */
const { hostileJson } = fc.letrec<{ hostileJson: string }>((tie) => ({
  hostileJson: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('"2024-01-01T00:00:00.000Z"', '"-12"', '"NaN"', '"-0"', '"AAEC"', 'true', '"@@"', '[[1,2]]', '[1,[2]]'),
    fc.array(tie('hostileJson'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(fc.oneof(key, fc.constantFrom(...FORBIDDEN)), tie('hostileJson')), { maxLength: 3 })
      .map((entries) => `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`),
    fc.tuple(fc.constantFrom(...TAGS, '$nope'), tie('hostileJson')).map(([tag, content]) => `{${JSON.stringify(tag)}:${content}}`),
  ),
}));

/** A change to bytes: flip, insert or delete a byte, or cut the tail. */
const mutation = fc.oneof(
  fc.tuple(fc.constant('flip' as const), fc.nat(), fc.integer({ min: 1, max: 255 })),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
  fc.tuple(fc.constant('delete' as const), fc.nat(), fc.constant(0)),
  fc.tuple(fc.constant('cut' as const), fc.nat(), fc.constant(0)),
);

function mutate(bytes: Uint8Array, changes: readonly (readonly ['flip' | 'insert' | 'delete' | 'cut', number, number])[]): Uint8Array {
  let out = Array.from(bytes);
  for (const [kind, at, value] of changes) {
    const index = out.length === 0 ? 0 : at % out.length;
    if (kind === 'flip' && out.length > 0) out[index] = (out[index] as number) ^ value;
    else if (kind === 'insert') out.splice(index, 0, value);
    else if (kind === 'delete') out.splice(index, 1);
    else if (kind === 'cut') out = out.slice(0, index);
  }
  return Uint8Array.from(out);
}

/** Decodes, and fails the property unless the bytes decoded (to plain data without a forbidden key) or were refused with a DecodeError. */
function decodesOrRefuses(bytes: Uint8Array): void {
  let decoded: unknown;
  try {
    decoded = codec.decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
  }
  expect(forbiddenKeyIn(decoded)).toBeUndefined();
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
}

/** The first `__proto__`, `constructor` or `prototype` own key of an object anywhere in a decoded value. */
function forbiddenKeyIn(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  if (!(value instanceof Map || value instanceof Set || Array.isArray(value))) {
    const found = Reflect.ownKeys(value).find((name) => typeof name === 'string' && FORBIDDEN.has(name));
    if (found !== undefined) return String(found);
  }
  for (const child of children) {
    const found = forbiddenKeyIn(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('JsonCodec (property-based)', () => {
  afterAll(() => {
    expect(prototypeKeys()).toEqual(keysBefore);
  });

  it('gives back every payload it encodes, equal', () => {
    fc.assert(
      fc.property(payload, (value) => {
        expect(codec.decode(codec.encode(value))).toStrictEqual(value);
      }),
      { numRuns: 400 },
    );
  });

  it('gives back plain data equal, through the fast path', () => {
    fc.assert(
      fc.property(plainData, (value) => {
        expect(codec.decode(codec.encode(value))).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes random bytes or refuses them with a DecodeError, never another error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), decodesOrRefuses), { numRuns: 300 });
  });

  it('decodes mutated bodies or refuses them with a DecodeError, never another error', () => {
    fc.assert(
      fc.property(payload, fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, changes) => {
        decodesOrRefuses(mutate(codec.encode(value), changes));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes hostile JSON (tags with any content, forbidden and duplicate keys) or refuses it, polluting nothing', () => {
    const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
    fc.assert(
      fc.property(hostileJson, (json) => {
        decodesOrRefuses(utf8(json));
        decodesOrRefuses(utf8(`{"__proto__":{"polluted":1},"a":${json}}`));
        decodesOrRefuses(utf8(`[{"$object":{"constructor":{"prototype":{"polluted":1}}}},${json}]`));
      }),
      { numRuns: 400 },
    );
  });
});
