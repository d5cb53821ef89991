import { numberOption, objectOption } from '../check-option.js';
import { describe } from '../describe.js';
import { DecodeError, EncodeError, type Codec } from './codec.js';
import { isPlainJson, isUntaggedJson } from './json-fast-path.js';
import { fromTaggedJson } from './json-tag-reader.js';
import { toTaggedJson } from './json-tag-writer.js';

/** Options of {@link JsonCodec}. */
export interface JsonCodecOptions {
  /**
   * The largest body, in bytes, that is encoded or decoded. A larger body is refused before
   * it is parsed (`too-large`), so one message cannot exhaust a worker's memory.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxBytes?: number | undefined;
  /**
   * How many objects, arrays, maps and sets may nest inside each other. Deeper payloads are
   * refused (`too-deep`), which bounds the work and stack one hostile body can cause.
   *
   * At most 500: the encoder and decoder walk a payload recursively, and a level of nested
   * `Map` (the costliest shape) takes about 0.7 KB of stack, so 500 levels use about a third
   * of Node's default stack and leave the rest to the frames below (a worker, middleware, a
   * handler that sends). Walking iteratively would lift the limit but cost every message on
   * the common shallow path; no real payload nests hundreds of levels deep.
   * @default 64
   */
  readonly maxDepth?: number | undefined;
}

/**
 * The default {@link Codec}: UTF-8 JSON that also carries `Date`, `bigint`, `Map`, `Set`,
 * `Uint8Array`, `undefined` in arrays, `NaN`, `±Infinity` and `-0`, through one-key `$` tags
 * (`{"$date":"2024-05-01T12:00:00.000Z"}`). User objects that look like a tag are escaped, so
 * any payload it encodes comes back equal.
 *
 * Rules:
 * - Encoding writes own enumerable string keys; `undefined` properties are left out; a class
 *   instance inside the payload comes back as a plain object (or as what its `toJSON` gives).
 *   Functions, symbols, cycles, other built-ins (typed arrays, RegExp, Error...) and the keys
 *   `__proto__`, `constructor`, `prototype` are refused at once with an {@link EncodeError}.
 * - Encoding gives each body its own bytes; a small body is a view into a block shared with
 *   other bodies (as Node's `Buffer` pool does), so use its `byteOffset` and `byteLength`
 *   together with its `buffer`.
 * - Decoding never evaluates code and rebuilds every object as a fresh plain object. A body
 *   with a `__proto__`, `constructor` or `prototype` key anywhere is refused as a whole
 *   (`forbidden-key`), never partly copied: such a body is either an attack or was not written
 *   by this codec, and a dead letter is the place to look at it.
 *
 * @throws {TypeError} from the constructor when `options` is not an object, an option is not
 * an integer >= 1, or `maxDepth` is over 500.
 * @example
 * const codec = new JsonCodec({ maxBytes: 256 * 1024 });
 * const bytes = codec.encode({ at: new Date(), tags: new Set(['a']) });
 * codec.decode(bytes); // { at: Date, tags: Set { 'a' } }
 */
export class JsonCodec implements Codec {
  /** Always `application/json`: the tags are ordinary JSON. */
  readonly contentType = 'application/json';
  /** The body size limit in bytes. */
  readonly maxBytes: number;
  /** The nesting limit. */
  readonly maxDepth: number;

  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  /** Small bodies are views into one shared block of memory, as Node's Buffer pool does it: one allocation per block, not per body. */
  #pool = new Uint8Array(POOL_BYTES);
  #poolUsed = 0;

  constructor(options: JsonCodecOptions = {}) {
    const checked = objectOption('JsonCodec', 'options', options);
    this.maxBytes = numberOption('JsonCodec', 'maxBytes', checked['maxBytes'], 1_048_576, { min: 1, integer: true });
    this.maxDepth = numberOption('JsonCodec', 'maxDepth', checked['maxDepth'], 64, {
      min: 1,
      max: MAX_DEPTH_CAP,
      integer: true,
      note: 'deeper nesting would risk overflowing the stack',
    });
  }

  /**
   * Encodes a payload as tagged JSON in UTF-8.
   *
   * @throws {EncodeError} when the payload holds a value that would not come back (see the
   * class rules), or the body would be larger than `maxBytes`.
   */
  encode(payload: unknown): Uint8Array {
    // Most payloads are plain JSON already: one read-only pass proves it, and JSON.stringify
    // writes them without the tag writer's copy.
    const json = isPlainJson(payload, this.maxDepth) ? JSON.stringify(payload) : JSON.stringify(toTaggedJson(payload, this.maxDepth));
    const bytes = this.#utf8(json);
    if (bytes.byteLength > this.maxBytes) {
      throw new EncodeError(
        'too-large',
        `The encoded payload is ${bytes.byteLength} bytes, over the codec's maxBytes of ${this.maxBytes}; send less, or raise maxBytes on both sides.`,
      );
    }
    return bytes;
  }

  /** UTF-8 bytes of `text`: a view into the pool when it surely fits in a slice of a block, else an array of its own. */
  #utf8(text: string): Uint8Array {
    // One UTF-16 unit is at most 3 UTF-8 bytes.
    const most = text.length * 3;
    if (most > POOL_BYTES / 8) return this.#encoder.encode(text);
    if (most > POOL_BYTES - this.#poolUsed) {
      this.#pool = new Uint8Array(POOL_BYTES);
      this.#poolUsed = 0;
    }
    const start = this.#poolUsed;
    const { written } = this.#encoder.encodeInto(text, this.#pool.subarray(start));
    // The next body starts 8-byte aligned, as a fresh array would.
    this.#poolUsed = start + ((written + 7) & ~7);
    return this.#pool.subarray(start, start + written);
  }

  /**
   * Decodes untrusted bytes written by {@link JsonCodec.encode} (or by any JSON producer that
   * escapes one-key `$` objects).
   *
   * @throws {TypeError} when `bytes` is not a Uint8Array.
   * @throws {DecodeError} `too-large` over `maxBytes` (checked before anything is read),
   * `invalid-encoding` for bytes that are not UTF-8, `invalid-json` for text that is not JSON,
   * `invalid-tag`, `forbidden-key` or `too-deep`.
   */
  decode(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`JsonCodec.decode expects a Uint8Array; got ${describe(bytes)}.`);
    }
    if (bytes.byteLength > this.maxBytes) {
      throw new DecodeError('too-large', `The body is ${bytes.byteLength} bytes, over the codec's maxBytes of ${this.maxBytes}; it was not read.`);
    }
    let text: string;
    try {
      text = this.#decoder.decode(bytes);
    } catch (error) {
      throw new DecodeError('invalid-encoding', `The body (${bytes.byteLength} bytes) is not valid UTF-8.`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const preview = text.length > 40 ? `${text.slice(0, 40)}…` : text;
      throw new DecodeError('invalid-json', `The body is not valid JSON: ${(error as Error).message} (body starts ${JSON.stringify(preview)}).`, {
        cause: error,
      });
    }
    return isUntaggedJson(parsed, this.maxDepth) ? parsed : fromTaggedJson(parsed, this.maxDepth);
  }
}

/** The size of one block of the body pool. */
const POOL_BYTES = 64 * 1024;

/**
 * The largest `maxDepth`: twice as deep still runs inside a test with the default stack
 * (json-codec.test.ts), where nested maps overflow from about 1,350 levels.
 */
const MAX_DEPTH_CAP = 500;
