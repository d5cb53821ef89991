import { DecodeError, type DecodeErrorCode } from './codec.js';
import { FORBIDDEN_KEYS, formatPath, JsonTag, looksLikeTag } from './json-tags.js';

const ISO_DATE = /^(?:\d{4}|[+-]\d{6})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/**
 * Turns parsed JSON in the tagged format of `json-tags.ts` back into the payload.
 *
 * The input comes from untrusted bytes, so: every object is rebuilt as a fresh plain object;
 * a `__proto__`, `constructor` or `prototype` key anywhere refuses the whole body (it is never
 * copied, and never dropped silently); an unknown or malformed tag refuses it; nesting deeper
 * than `maxDepth` refuses it before any deeper work is done.
 *
 * @internal
 * @throws {DecodeError} with code `forbidden-key`, `invalid-tag` or `too-deep`, naming the path.
 */
export function fromTaggedJson(parsed: unknown, maxDepth: number): unknown {
  return new TagReader(maxDepth).read(parsed, 0);
}

class TagReader {
  readonly #maxDepth: number;
  /** Where the reader is, for error messages. */
  readonly #path: (string | number)[] = [];

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
  }

  read(value: unknown, depth: number): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return this.#readArray(this.#enter(depth, value), depth + 1);
    const keys = Object.keys(value);
    if (looksLikeTag(keys)) return this.#readTag(keys[0] as string, (value as Record<string, unknown>)[keys[0] as string], depth);
    return this.#readObject(this.#enter(depth, value as Record<string, unknown>), keys, depth + 1);
  }

  /** Only containers count towards maxDepth, exactly as the writer counts them. */
  #enter<T>(depth: number, container: T): T {
    return depth >= this.#maxDepth ? this.#fail('too-deep', `it nests deeper than maxDepth (${this.#maxDepth}).`) : container;
  }

  #readArray(items: readonly unknown[], depth: number): unknown[] {
    const out: unknown[] = [];
    for (let index = 0; index < items.length; index++) {
      this.#path.push(index);
      out.push(this.read(items[index], depth));
      this.#path.pop();
    }
    return out;
  }

  #readObject(value: Record<string, unknown>, keys: readonly string[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      this.#path.push(key);
      if (FORBIDDEN_KEYS.has(key)) this.#fail('forbidden-key', `the key ${JSON.stringify(key)} is refused to prevent prototype pollution.`);
      out[key] = this.read(value[key], depth);
      this.#path.pop();
    }
    return out;
  }

  #readTag(tag: string, content: unknown, depth: number): unknown {
    this.#path.push(tag);
    const out = this.#tagValue(tag, content, depth);
    this.#path.pop();
    return out;
  }

  #tagValue(tag: string, content: unknown, depth: number): unknown {
    switch (tag) {
      case JsonTag.date:
        if (content === null) return new Date(Number.NaN);
        if (typeof content === 'string' && ISO_DATE.test(content) && !Number.isNaN(Date.parse(content))) return new Date(content);
        return this.#bad(tag, content, 'an ISO 8601 UTC date string or null');
      case JsonTag.bigint:
        return typeof content === 'string' && INTEGER.test(content) ? BigInt(content) : this.#bad(tag, content, 'a decimal integer string');
      case JsonTag.number:
        return typeof content === 'string' && Object.hasOwn(SPECIAL_NUMBERS, content)
          ? SPECIAL_NUMBERS[content]
          : this.#bad(tag, content, '"NaN", "Infinity", "-Infinity" or "-0"');
      case JsonTag.undefined:
        return content === true ? undefined : this.#bad(tag, content, 'true');
      case JsonTag.bytes:
        return (typeof content === 'string' ? fromBase64(content) : undefined) ?? this.#bad(tag, content, 'a base64 string');
      case JsonTag.set:
        return Array.isArray(content) ? new Set(this.#readArray(this.#enter(depth, content), depth + 1)) : this.#bad(tag, content, 'an array of items');
      case JsonTag.map:
        return Array.isArray(content) ? this.#readMap(this.#enter(depth, content), depth + 1) : this.#bad(tag, content, 'an array of [key, value] pairs');
      case JsonTag.object:
        return typeof content === 'object' && content !== null && !Array.isArray(content)
          ? this.#readObject(this.#enter(depth, content as Record<string, unknown>), Object.keys(content), depth + 1)
          : this.#bad(tag, content, 'an object');
      default:
        return this.#fail(
          'invalid-tag',
          `${JSON.stringify(tag)} is not a known tag; objects with a single key starting with $ are tags (user objects of that shape are written as {"$object":{...}}).`,
        );
    }
  }

  #readMap(entries: readonly unknown[], depth: number): Map<unknown, unknown> {
    const out = new Map<unknown, unknown>();
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      this.#path.push(index);
      if (!Array.isArray(entry) || entry.length !== 2) this.#fail('invalid-tag', 'a $map entry must be a [key, value] pair.');
      const [key, item] = entry as [unknown, unknown];
      out.set(this.read(key, depth), this.read(item, depth));
      this.#path.pop();
    }
    return out;
  }

  #bad(tag: string, content: unknown, expected: string): never {
    const shown = JSON.stringify(content) as string | undefined;
    return this.#fail('invalid-tag', `${tag} expects ${expected}; got ${shown === undefined ? String(content) : shown.slice(0, 60)}.`);
  }

  #fail(code: DecodeErrorCode, rule: string): never {
    throw new DecodeError(code, `Cannot decode the body at ${formatPath(this.#path)}: ${rule}`);
  }
}

function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
