import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from './codec.js';
import { JsonCodec } from './json-codec.js';
import { isPlainJson, isUntaggedJson } from './json-fast-path.js';
import { fromTaggedJson } from './json-tag-reader.js';
import { toTaggedJson } from './json-tag-writer.js';

const codec = new JsonCodec();
const roundTrip = (value: unknown, using: JsonCodec = codec): unknown => using.decode(using.encode(value));
const text = (value: unknown): string => new TextDecoder().decode(codec.encode(value));
const bytes = (json: string): Uint8Array => new TextEncoder().encode(json);
const decodeError = (json: string | Uint8Array, using: JsonCodec = codec): DecodeError => {
  try {
    using.decode(typeof json === 'string' ? bytes(json) : json);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('decode did not throw');
};
const encodeError = (value: unknown, using: JsonCodec = codec): EncodeError => {
  try {
    using.encode(value);
  } catch (error) {
    if (error instanceof EncodeError) return error;
    throw error;
  }
  throw new Error('encode did not throw');
};

/** The largest maxDepth JsonCodec accepts. */
const DEPTH_CAP = 500;
/** The containers a body can nest, each through its own path in the writer and reader. */
const SHAPES = ['map', 'set', 'tag-like object', 'array', 'object'] as const;
type Shape = (typeof SHAPES)[number];

/** A value of `depth` containers of one shape, each holding the next. */
function nested(shape: Shape, depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) {
    if (shape === 'map') value = new Map([[1, value]]);
    else if (shape === 'set') value = new Set([value]);
    else if (shape === 'tag-like object') value = { $a: value };
    else if (shape === 'array') value = [value];
    else value = { a: value };
  }
  return value;
}

/** The JSON the codec writes for {@link nested}, built as text (so building it needs no stack). */
function nestedJson(shape: Shape, depth: number): string {
  const [open, close] = (
    {
      map: ['{"$map":[[1,', ']]}'],
      set: ['{"$set":[', ']}'],
      'tag-like object': ['{"$object":{"$a":', '}}'],
      array: ['[', ']'],
      object: ['{"a":', '}'],
    } as const satisfies Record<Shape, readonly [string, string]>
  )[shape];
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

describe('JsonCodec round trips', () => {
  it.each([
    ['null', null],
    ['true', true],
    ['a number', 12.5],
    ['a string with unicode', 'zażółć 🚀 "quoted" \\ \n'],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested objects and arrays', { a: [1, { b: [2, [3, { c: 'd' }]] }], e: { f: { g: null } } }],
    ['a Date', new Date('2024-05-01T12:34:56.789Z')],
    ['an invalid Date', new Date(Number.NaN)],
    ['a Date far in the future', new Date(8.64e15)],
    ['a Date before 1970', new Date(-1)],
    ['a BigInt', 12345678901234567890123456789n],
    ['a negative BigInt', -42n],
    [
      'a Map with mixed keys',
      new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        [{ k: 1 }, [3]],
      ]),
    ],
    ['a Set', new Set([1, 'a', null])],
    ['undefined in an array', [1, undefined, 3]],
    ['undefined as the whole payload', undefined],
    ['NaN and the infinities', [Number.NaN, Infinity, -Infinity]],
    ['-0', -0],
    ['bytes', new Uint8Array([0, 1, 127, 128, 255])],
    ['empty bytes', new Uint8Array()],
  ])('round-trips %s', (_label, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('round-trips a nested Map of Sets of Dates inside an object with a BigInt', () => {
    const value = {
      total: 10n ** 30n,
      schedule: new Map([
        ['alice', new Set([new Date('2024-01-01T00:00:00.000Z'), new Date('2024-02-01T00:00:00.000Z')])],
        ['bob', new Set<Date>()],
      ]),
      history: [new Map([[1n, new Set([new Map([['deep', new Date(0)]])])]])],
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toStrictEqual(value);
    expect(back.schedule.get('alice')).toBeInstanceOf(Set);
    expect([...(back.schedule.get('alice') ?? [])][0]).toBeInstanceOf(Date);
    expect(typeof back.total).toBe('bigint');
  });

  it('keeps -0 distinct from 0 and holes as undefined', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    // eslint-disable-next-line no-sparse-arrays
    expect(roundTrip([1, , 3])).toStrictEqual([1, undefined, 3]);
  });

  it('writes readable tagged JSON', () => {
    expect(text({ at: new Date('2024-05-01T00:00:00.000Z'), n: 5n, tags: new Set(['a']), plain: [1, 'x'] })).toBe(
      '{"at":{"$date":"2024-05-01T00:00:00.000Z"},"n":{"$bigint":"5"},"tags":{"$set":["a"]},"plain":[1,"x"]}',
    );
  });

  it('leaves out undefined object properties, as JSON does', () => {
    expect(text({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(roundTrip({ a: 1, b: undefined })).toStrictEqual({ a: 1 });
  });

  it('writes class instances inside the payload as their data, or through toJSON', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
    }
    class Decimal {
      constructor(readonly digits: string) {}
      toJSON(): string {
        return this.digits;
      }
    }
    const back = roundTrip({ price: new Money(5, 'EUR'), rate: new Decimal('0.15') }) as Record<string, unknown>;
    expect(back).toStrictEqual({ price: { amount: 5, currency: 'EUR' }, rate: '0.15' });
    expect(Object.getPrototypeOf(back['price'])).toBe(Object.prototype);
  });

  it('writes own fields only, never inherited enumerable ones', () => {
    const value = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
    expect(text(value)).toBe('{"own":2}');
  });

  it('gives back objects without a prototype as plain objects', () => {
    const value = Object.assign(Object.create(null) as object, { a: 1 });
    expect(roundTrip(value)).toStrictEqual({ a: 1 });
  });
});

describe('JsonCodec keeps user data that looks like a tag', () => {
  it.each([
    ['a $date lookalike', { $date: '2024-05-01T00:00:00.000Z' }],
    ['a $bigint lookalike', { $bigint: '1' }],
    ['a $map lookalike', { $map: [[1, 2]] }],
    ['an $undefined lookalike', { $undefined: true }],
    ['an $object lookalike', { $object: { $date: 'x' } }],
    ['an unknown $ key', { $ref: '#/a' }],
    ['a lone $ key', { $: 1 }],
    ['nested lookalikes', { a: [{ $set: [1] }], b: new Map([[{ $date: null }, { $number: 'NaN' }]]) }],
    ['an object with two $ keys', { $a: 1, $b: 2 }],
  ])('round-trips %s as plain data', (_label, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('escapes an object that looks like a tag only once its undefined properties are left out', () => {
    expect(text({ $date: 'x', other: undefined })).toBe('{"$object":{"$date":"x"}}');
    expect(roundTrip({ $date: 'x', other: undefined })).toStrictEqual({ $date: 'x' });
  });

  it('escapes a one-key $ object and leaves other objects alone', () => {
    expect(text({ $date: '2024-05-01T00:00:00.000Z' })).toBe('{"$object":{"$date":"2024-05-01T00:00:00.000Z"}}');
    expect(text({ $a: 1, $b: 2 })).toBe('{"$a":1,"$b":2}');
    expect(roundTrip({ $date: '2024-05-01T00:00:00.000Z' })).not.toBeInstanceOf(Date);
  });
});

describe('JsonCodec refuses prototype pollution', () => {
  const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();

  it.each([
    ['__proto__ at the top', '{"__proto__":{"polluted":1}}', '$.__proto__'],
    ['__proto__ nested in arrays', '{"a":[{"b":{"__proto__":{"polluted":1}}}]}', '$.a[0].b.__proto__'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":1}}}', '$.constructor'],
    ['a prototype key', '{"x":{"prototype":{"polluted":1}}}', '$.x.prototype'],
    ['__proto__ inside an $object escape', '{"$object":{"__proto__":{"polluted":1}}}', '$.$object.__proto__'],
    ['__proto__ inside a map value', '{"$map":[["k",{"__proto__":{"polluted":1}}]]}', '$.$map[0].__proto__'],
    ['__proto__ inside a set', '{"$set":[{"__proto__":{"polluted":1}}]}', '$.$set[0].__proto__'],
  ])('refuses %s as a whole, leaving Object.prototype untouched', (_label, json, path) => {
    const before = prototypeKeys();
    const error = decodeError(json);
    expect(error.code).toBe('forbidden-key');
    expect(error.message).toContain(`at ${path}:`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(prototypeKeys()).toEqual(before);
  });

  it('allows those words as Map keys and string values, which cannot reach a prototype', () => {
    const back = codec.decode(bytes('{"m":{"$map":[["__proto__",{"$set":["constructor"]}]]},"s":"prototype"}')) as { m: Map<string, unknown>; s: string };
    expect(back.m.get('__proto__')).toStrictEqual(new Set(['constructor']));
    expect(back.s).toBe('prototype');
  });

  it('builds every decoded object as a fresh plain object', () => {
    const back = codec.decode(bytes('{"a":{"b":[{}]}}')) as { a: { b: object[] } };
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(back.a.b[0])).toBe(Object.prototype);
  });

  it.each([
    ['__proto__', JSON.parse('{"__proto__":1}') as unknown],
    ['constructor', { nested: { constructor: 1 } }],
    ['prototype', [{ prototype: 1 }]],
  ])('refuses to encode a %s key, so the sender learns before the worker does', (key, value) => {
    const error = encodeError(value);
    expect(error.code).toBe('forbidden-key');
    expect(error.message).toContain(`"${key}"`);
  });
});

describe('JsonCodec limits', () => {
  it('refuses a body over maxBytes before reading it, stating the size and the limit', () => {
    const small = new JsonCodec({ maxBytes: 16 });
    const error = decodeError(bytes('{"a":"0123456789"}'), small);
    expect(error.code).toBe('too-large');
    expect(error.message).toBe("The body is 18 bytes, over the codec's maxBytes of 16; it was not read.");
  });

  it('decodes a body of exactly maxBytes', () => {
    const body = bytes('"0123456789"');
    expect(new JsonCodec({ maxBytes: body.byteLength }).decode(body)).toBe('0123456789');
    expect(decodeError(body, new JsonCodec({ maxBytes: body.byteLength - 1 })).code).toBe('too-large');
  });

  it('refuses to encode a payload over maxBytes', () => {
    const error = encodeError('x'.repeat(100), new JsonCodec({ maxBytes: 50 }));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/102 bytes, over the codec's maxBytes of 50/);
  });

  it('defaults maxBytes to 1 MiB', () => {
    expect(codec.maxBytes).toBe(1_048_576);
    expect(decodeError(new Uint8Array(1_048_577)).code).toBe('too-large');
  });

  it('refuses nesting deeper than maxDepth, counting only containers, the same way both ways', () => {
    const shallow = new JsonCodec({ maxDepth: 3 });
    const ok = { a: [new Set([new Date(0), 1n])] };
    expect(roundTrip(ok, shallow)).toStrictEqual(ok);
    expect(encodeError({ a: [new Set([[1]])] }, shallow).code).toBe('too-deep');
    expect(decodeError('{"a":[{"$set":[[1]]}]}', shallow).code).toBe('too-deep');
  });

  it('refuses a hostile deep body with too-deep, not a stack overflow', () => {
    const depth = 200_000;
    expect(decodeError('['.repeat(depth) + ']'.repeat(depth)).code).toBe('too-deep');
  });

  // Issue 11, item 8: with maxDepth 5000, 4,000-deep $map, $set and $object bodies overflowed the stack (RangeError).
  it('refuses a maxDepth over the cap at construction, naming the option, the cap and the value', () => {
    expect(() => new JsonCodec({ maxDepth: 5000 })).toThrow(TypeError);
    expect(() => new JsonCodec({ maxDepth: 5000 })).toThrow(
      `JsonCodec option "maxDepth" must be an integer from 1 to ${DEPTH_CAP} (deeper nesting would risk overflowing the stack); got the number 5000.`,
    );
    expect(() => new JsonCodec({ maxDepth: DEPTH_CAP + 1 })).toThrow(TypeError);
    expect(new JsonCodec({ maxDepth: DEPTH_CAP }).maxDepth).toBe(DEPTH_CAP);
  });

  it.each(SHAPES)('encodes and decodes a %s nested maxDepth deep at the cap, and refuses one level more', (shape) => {
    const capped = new JsonCodec({ maxDepth: DEPTH_CAP, maxBytes: 16 * 1_048_576 });
    const value = nested(shape, DEPTH_CAP);
    expect(roundTrip(value, capped)).toStrictEqual(value);
    expect(capped.decode(bytes(nestedJson(shape, DEPTH_CAP)))).toStrictEqual(value);
    expect(encodeError(nested(shape, DEPTH_CAP + 1), capped).code).toBe('too-deep');
    expect(decodeError(nestedJson(shape, DEPTH_CAP + 1), capped).code).toBe('too-deep');
    expect(decodeError(nestedJson(shape, 4_000), capped).code).toBe('too-deep');
  });

  it.each(SHAPES)('has room for twice the cap of %s nesting on the stack, both ways, from inside a test', (shape) => {
    // The cap is safe with a margin: every walk the codec makes (the tag writer and reader, the
    // plain-JSON checks, JSON itself) goes twice as deep from here, with the test runner's frames
    // below, so a worker that is some frames deep when it decodes has half the stack to spare.
    const twice = DEPTH_CAP * 2;
    const value = nested(shape, twice);
    const json = nestedJson(shape, twice);
    expect(JSON.stringify(toTaggedJson(value, twice + 1))).toBe(json);
    expect(fromTaggedJson(JSON.parse(json), twice + 1)).toStrictEqual(value);
    expect(() => isPlainJson(value, twice + 1)).not.toThrow();
    expect(() => isUntaggedJson(JSON.parse(json), twice + 1)).not.toThrow();
  });

  it.each([
    ['maxBytes', { maxBytes: 0 }, 'the number 0'],
    ['maxBytes', { maxBytes: 1.5 }, 'the number 1.5'],
    ['maxBytes', { maxBytes: '1024' }, 'the string "1024"'],
    ['maxDepth', { maxDepth: -1 }, 'the number -1'],
  ])('rejects an invalid %s with a TypeError naming it', (option, options, received) => {
    const rule = option === 'maxDepth' ? `an integer from 1 to ${DEPTH_CAP} (deeper nesting would risk overflowing the stack)` : 'an integer >= 1';
    expect(() => new JsonCodec(options as never)).toThrow(new TypeError(`JsonCodec option "${option}" must be ${rule}; got ${received}.`));
  });
});

describe('JsonCodec refuses bad input', () => {
  it.each([
    ['an empty body', ''],
    ['truncated JSON', '{"a":'],
    ['JavaScript, not JSON', '{a: 1}'],
    ['a function call', 'alert(1)'],
  ])('refuses %s as invalid-json', (_label, json) => {
    expect(decodeError(json).code).toBe('invalid-json');
  });

  it('refuses bytes that are not UTF-8 as invalid-encoding', () => {
    const error = decodeError(new Uint8Array([0x22, 0xff, 0xfe, 0x22]));
    expect(error.code).toBe('invalid-encoding');
    expect(error.cause).toBeDefined();
  });

  it.each([
    ['an unknown tag', '{"$nope":1}'],
    ['a non-ISO date', '{"$date":"yesterday"}'],
    ['a date number', '{"$date":0}'],
    ['a fractional bigint', '{"$bigint":"1.5"}'],
    ['a bigint number', '{"$bigint":1}'],
    ['a map entry that is not a pair', '{"$map":[[1]]}'],
    ['a map that is not an array', '{"$map":{}}'],
    ['a set that is not an array', '{"$set":{}}'],
    ['an unknown special number', '{"$number":"1"}'],
    ['$undefined other than true', '{"$undefined":false}'],
    ['bytes that are not base64', '{"$bytes":"@@@"}'],
    ['an $object escape of an array', '{"$object":[1]}'],
  ])('refuses %s as invalid-tag', (_label, json) => {
    expect(decodeError(json).code).toBe('invalid-tag');
  });

  it('refuses a body that is not a Uint8Array with a TypeError', () => {
    expect(() => codec.decode('{}' as never)).toThrow(new TypeError('JsonCodec.decode expects a Uint8Array; got the string "{}".'));
  });
});

describe('JsonCodec refuses payloads it could not give back', () => {
  it.each([
    ['a function', { run: () => 1 }, '$.run', 'unsupported-value'],
    ['a symbol', [Symbol('s')], '$[0]', 'unsupported-value'],
    ['a RegExp', { pattern: /a/ }, '$.pattern', 'unsupported-value'],
    ['an Int16Array', { samples: new Int16Array(2) }, '$.samples', 'unsupported-value'],
    ['an Error', { failure: new Error('x') }, '$.failure', 'unsupported-value'],
    ['a value inside a Map', new Map([['k', () => 1]]), '$["<map entry 0>"]', 'unsupported-value'],
  ])('refuses %s, naming its path', (_label, value, path, code) => {
    const error = encodeError(value);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`at ${path}:`);
  });

  it('refuses a cycle', () => {
    const node: Record<string, unknown> = { name: 'a' };
    node['self'] = { parent: node };
    const error = encodeError(node);
    expect(error.code).toBe('circular');
    expect(error.message).toContain('at $.self.parent:');
  });

  it('writes a shared, non-cyclic object twice rather than refusing it', () => {
    const shared = { id: 1 };
    expect(roundTrip({ a: shared, b: [shared] })).toStrictEqual({ a: { id: 1 }, b: [{ id: 1 }] });
  });
});

describe('JsonCodec writes plain payloads without the tag writer, byte for byte as the tag writer would', () => {
  const viaWriter = (value: unknown): string => JSON.stringify(toTaggedJson(value, codec.maxDepth));
  const nullProto = Object.assign(Object.create(null) as object, { a: 1, b: [true, null] });
  const arraySubclass = new (class Items extends Array<unknown> {
    toJSON(): string {
      return 'not an array';
    }
  })();
  arraySubclass.push(1, 2);
  const ownToJson = [1, 2] as unknown[] & { toJSON?: unknown };
  ownToJson.toJSON = () => 'replaced';

  it.each([
    ['plain data', { seq: 1, at: 1.5, name: 'zażółć 🚀 \u2028', ok: true, none: null, list: [1, 'a', { b: [] }] }],
    ['a lone surrogate', { s: '\ud800x' }],
    ['-0 deep inside', { a: [1, { b: -0 }] }],
    ['NaN and the infinities deep inside', { a: [Number.NaN], b: { c: Infinity, d: -Infinity } }],
    ['an undefined property', { a: 1, b: undefined }],
    ['a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a nested one-key $ object', { a: [{ $set: [1] }] }],
    ['a one-key $ object once undefined is left out', { a: { $date: 'x', b: undefined } }],
    ['a two-key $ object', { $a: 1, $b: 2 }],
    ['an object without a prototype', nullProto],
    ['an Array subclass with a toJSON', { items: arraySubclass }],
    ['an array with its own toJSON', { items: ownToJson }],
    ['a Date inside', { at: new Date('2024-05-01T00:00:00.000Z') }],
    ['an own toJSON property that is undefined', { price: { toJSON: undefined, amount: 1 } }],
  ])('%s', (_label, value) => {
    expect(text(value)).toBe(viaWriter(value));
  });

  it('still refuses a cycle as circular and deep nesting as too-deep', () => {
    const node: Record<string, unknown> = {};
    node['self'] = node;
    expect(encodeError(node).code).toBe('circular');
    expect(encodeError({ a: [[[1]]] }, new JsonCodec({ maxDepth: 3 })).code).toBe('too-deep');
  });
});

describe('JsonCodec reads untagged bodies without copying, exactly as the tag reader would', () => {
  it.each([
    ['plain data', '{"a":[1,{"b":"c"}],"d":null,"e":{"f":{}}}'],
    ['a one-key $ object deep inside', '{"a":[1,{"b":{"$date":"2024-05-01T00:00:00.000Z"}}]}'],
    ['a two-key $ object', '{"$a":1,"$b":2}'],
    ['a tag at the top', '{"$bigint":"12"}'],
  ])('%s', (_label, json) => {
    expect(codec.decode(bytes(json))).toStrictEqual(fromTaggedJson(JSON.parse(json), codec.maxDepth));
  });

  it('reads a tag even when a polluted Object.prototype has enumerable keys', () => {
    (Object.prototype as Record<string, unknown>)['polluted'] = 1;
    try {
      expect(codec.decode(bytes('{"at":{"$date":"2024-05-01T00:00:00.000Z"}}'))).toStrictEqual({ at: new Date('2024-05-01T00:00:00.000Z') });
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });

  it('refuses a forbidden key and a body nested maxDepth deep, as the tag reader does', () => {
    expect(decodeError('{"a":[{"constructor":1}]}').code).toBe('forbidden-key');
    expect(decodeError('{"a":[[[1]]]}', new JsonCodec({ maxDepth: 3 })).code).toBe('too-deep');
    expect(new JsonCodec({ maxDepth: 3 }).decode(bytes('{"a":[[1]]}'))).toStrictEqual({ a: [[1]] });
  });
});

describe('JsonCodec bodies', () => {
  it('gives each body bytes of its own, even where small bodies share one block of memory', () => {
    const own = new JsonCodec();
    const bodies = Array.from({ length: 2_000 }, (_, index) => own.encode({ index, text: 'ž'.repeat(index % 50) }));
    const copies = bodies.map((body) => body.slice());
    bodies.forEach((body, index) => {
      expect(own.decode(body)).toStrictEqual({ index, text: 'ž'.repeat(index % 50) });
      body.fill(0);
      // Overwriting one body leaves the next one as it was.
      if (index + 1 < bodies.length) expect(bodies[index + 1]).toEqual(copies[index + 1]);
    });
    const large = own.encode({ text: 'x'.repeat(100_000) });
    expect(large.byteOffset).toBe(0);
    expect(large.buffer.byteLength).toBe(large.byteLength);
  });
});
