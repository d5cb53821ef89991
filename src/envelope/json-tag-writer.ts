import { EncodeError, type EncodeErrorCode } from './codec.js';
import { FORBIDDEN_KEYS, formatPath, JsonTag, looksLikeTag } from './json-tags.js';

/** A value `JSON.stringify` writes as is. @internal */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Turns a payload into plain JSON data in the tagged format of `json-tags.ts`.
 *
 * Rules: own enumerable string keys only; `undefined` object properties are left out (as in
 * JSON); a class instance is written as its data, or through its `toJSON` when it has one;
 * functions, symbols, typed arrays other than `Uint8Array`, and other built-ins that would not
 * come back are refused, as are cycles, forbidden keys and nesting deeper than `maxDepth`.
 *
 * @internal
 * @throws {EncodeError} naming the path of the value refused.
 */
export function toTaggedJson(payload: unknown, maxDepth: number): JsonValue {
  return new TagWriter(maxDepth).write(payload, 0);
}

class TagWriter {
  readonly #maxDepth: number;
  /** Where the writer is, for error messages. */
  readonly #path: (string | number)[] = [];
  /** The containers being written, to refuse cycles (an array: payloads are shallow). */
  readonly #open: object[] = [];

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
  }

  write(value: unknown, depth: number): JsonValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) && !Object.is(value, -0) ? value : { [JsonTag.number]: Object.is(value, -0) ? '-0' : String(value) };
      case 'bigint':
        return { [JsonTag.bigint]: value.toString() };
      case 'undefined':
        return { [JsonTag.undefined]: true };
      case 'function':
      case 'symbol':
        return this.#fail('unsupported-value', `a ${typeof value} cannot be sent to another process; send plain data only.`);
    }
    if (value === null || typeof value !== 'object') return null;
    if (value instanceof Date) return { [JsonTag.date]: Number.isNaN(value.getTime()) ? null : value.toISOString() };
    if (value instanceof Uint8Array) return { [JsonTag.bytes]: toBase64(value) };
    if (this.#open.includes(value)) return this.#fail('circular', 'the value refers to itself; a payload must be a tree.');
    if (depth >= this.#maxDepth) return this.#fail('too-deep', `it nests deeper than maxDepth (${this.#maxDepth}).`);
    this.#open.push(value);
    const written = this.#writeContainer(value, depth + 1);
    this.#open.pop();
    return written;
  }

  #writeContainer(value: object, depth: number): JsonValue {
    if (Array.isArray(value)) {
      const out: JsonValue[] = [];
      for (let index = 0; index < value.length; index++) {
        this.#path.push(index);
        out.push(this.write(value[index], depth));
        this.#path.pop();
      }
      return out;
    }
    if (value instanceof Map) {
      const entries: JsonValue[] = [];
      for (const [key, item] of value) {
        this.#path.push(`<map entry ${entries.length}>`);
        entries.push([this.write(key, depth), this.write(item, depth)]);
        this.#path.pop();
      }
      return { [JsonTag.map]: entries };
    }
    if (value instanceof Set) {
      const items: JsonValue[] = [];
      for (const item of value) {
        this.#path.push(`<set item ${items.length}>`);
        items.push(this.write(item, depth));
        this.#path.pop();
      }
      return { [JsonTag.set]: items };
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.write(toJSON.call(value) as unknown, depth - 1);
      const tag = Object.prototype.toString.call(value);
      if (tag !== '[object Object]') {
        return this.#fail('unsupported-value', `${tag.slice(8, -1)} values cannot be encoded; send plain data, Date, Map, Set, bigint or Uint8Array.`);
      }
    }
    return this.#writeObject(value as Record<string, unknown>, depth);
  }

  #writeObject(value: Record<string, unknown>, depth: number): JsonValue {
    const out: Record<string, JsonValue> = {};
    let written = 0;
    let firstKey = '';
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      this.#path.push(key);
      if (FORBIDDEN_KEYS.has(key)) this.#fail('forbidden-key', `the key ${JSON.stringify(key)} is refused by every decoder (prototype pollution); rename it.`);
      const item = value[key];
      if (item !== undefined) {
        out[key] = this.write(item, depth);
        if (written++ === 0) firstKey = key;
      }
      this.#path.pop();
    }
    return written === 1 && looksLikeTag([firstKey]) ? { [JsonTag.object]: out } : out;
  }

  #fail(code: EncodeErrorCode, rule: string): never {
    throw new EncodeError(code, `Cannot encode the payload at ${formatPath(this.#path)}: ${rule}`);
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}
