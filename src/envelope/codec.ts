/**
 * Turns a command's payload into body bytes and back. The default is {@link JsonCodec}.
 *
 * The contract an implementation keeps:
 * - `decode(encode(x))` gives back a value equal to `x` for every value `encode` accepts;
 *   `encode` throws an {@link EncodeError} for a value it cannot give back, rather than
 *   sending something that would be read differently.
 * - `decode` treats its bytes as hostile: it never evaluates code, builds only plain data
 *   (plain objects, arrays and the built-in types it supports), never gives back an object
 *   with a `__proto__`, `constructor` or `prototype` key, and bounds the work one body can
 *   cause. It throws a {@link DecodeError} for bytes it cannot read.
 * - Both are synchronous and keep no state between calls.
 */
export interface Codec {
  /** The MIME type written in the `content-type` header, such as `application/json`. */
  readonly contentType: string;
  /** Encodes a payload into body bytes. @throws {EncodeError} when the payload cannot be encoded. */
  encode(payload: unknown): Uint8Array;
  /** Decodes body bytes into a payload. @throws {DecodeError} when the bytes cannot be decoded. */
  decode(bytes: Uint8Array): unknown;
}

/** Why a codec refused to decode: the `code` of a {@link DecodeError}. */
export const DecodeErrorCode = {
  /** The body is larger than the codec's `maxBytes`. */
  tooLarge: 'too-large',
  /** The body is not valid text in the expected encoding (UTF-8 for JSON). */
  invalidEncoding: 'invalid-encoding',
  /** The body is not valid JSON (or not valid in the codec's format). */
  invalidJson: 'invalid-json',
  /** The body holds a tagged value that is malformed or unknown. */
  invalidTag: 'invalid-tag',
  /** The body has a `__proto__`, `constructor` or `prototype` key. */
  forbiddenKey: 'forbidden-key',
  /** The body nests deeper than the codec's `maxDepth`. */
  tooDeep: 'too-deep',
} as const;

/** One of the {@link DecodeErrorCode} values. */
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

/** Thrown by {@link Codec.decode} for bytes it cannot read; `code` says why. */
export class DecodeError extends Error {
  override name = 'DecodeError';

  /** Why the bytes were refused. */
  readonly code: DecodeErrorCode;

  constructor(code: DecodeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Why a codec refused to encode: the `code` of an {@link EncodeError}. */
export const EncodeErrorCode = {
  /** The encoded body would be larger than the codec's `maxBytes`. */
  tooLarge: 'too-large',
  /** The payload holds a value the codec cannot give back (a function, a symbol, a typed array...). */
  unsupportedValue: 'unsupported-value',
  /** The payload refers to itself. */
  circular: 'circular',
  /** The payload has a `__proto__`, `constructor` or `prototype` key, which decoding would refuse. */
  forbiddenKey: 'forbidden-key',
  /** The payload nests deeper than the codec's `maxDepth`. */
  tooDeep: 'too-deep',
} as const;

/** One of the {@link EncodeErrorCode} values. */
export type EncodeErrorCode = (typeof EncodeErrorCode)[keyof typeof EncodeErrorCode];

/** Thrown by {@link Codec.encode} for a payload it cannot encode faithfully; `code` says why. */
export class EncodeError extends Error {
  override name = 'EncodeError';

  /** Why the payload was refused. */
  readonly code: EncodeErrorCode;

  constructor(code: EncodeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
