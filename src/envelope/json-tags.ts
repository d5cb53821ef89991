/**
 * The tagged JSON format of {@link JsonCodec}, shared by its writer and its reader.
 *
 * A value JSON cannot hold is written as a one-key object whose key starts with `$`:
 *
 * | value | written as |
 * |---|---|
 * | `Date` | `{"$date":"2024-05-01T12:00:00.000Z"}` (`null` for an invalid date) |
 * | `bigint` | `{"$bigint":"-12345678901234567890"}` |
 * | `Map` | `{"$map":[[key, value], ...]}` |
 * | `Set` | `{"$set":[value, ...]}` |
 * | `Uint8Array` | `{"$bytes":"<base64>"}` |
 * | `undefined` (in an array, or the whole payload) | `{"$undefined":true}` |
 * | `NaN`, `Infinity`, `-Infinity`, `-0` | `{"$number":"NaN"}` ... |
 *
 * The reader takes every one-key object whose key starts with `$` as a tag, and refuses an
 * unknown one. So that user data is never mistaken for a tag, the writer wraps every user
 * object of that shape as `{"$object":{...}}`, whose inner keys are read literally.
 *
 * @internal
 */
export const JsonTag = {
  date: '$date',
  bigint: '$bigint',
  map: '$map',
  set: '$set',
  bytes: '$bytes',
  undefined: '$undefined',
  number: '$number',
  object: '$object',
} as const;

/** Keys that never reach a decoded object, and that the writer refuses. @internal */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether an object with these own keys reads as a tag: exactly one key, starting with `$`. @internal */
export function looksLikeTag(keys: readonly string[]): boolean {
  return keys.length === 1 && (keys[0] as string).startsWith('$');
}

/** A path such as `$.items[2].at` for error messages. @internal */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return out;
}
