import { FORBIDDEN_KEYS } from './json-tags.js';

/**
 * Whether `JSON.stringify(value)` writes exactly what the tag writer would: the value holds
 * only strings, booleans, `null`, finite numbers other than `-0`, and plain objects and arrays
 * nesting less than `maxDepth` deep, with no `undefined` inside, no forbidden key, no object
 * that would need a `$object` escape and no `toJSON`. Anything else answers `false`, and the
 * caller takes the tag writer, which tags the value or refuses it with the right error (a
 * cycle ends here at `maxDepth`).
 *
 * @internal
 */
export function isPlainJson(value: unknown, maxDepth: number): boolean {
  return plain(value, 0, maxDepth);
}

function plain(value: unknown, depth: number, maxDepth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // Finite, and not -0 (1 / -0 is -Infinity): JSON would write NaN and ±Infinity as null, -0 as 0.
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  // A toJSON (own, inherited or on a polluted prototype) would be called by JSON.stringify only.
  if (depth >= maxDepth || (value as { toJSON?: unknown }).toJSON !== undefined) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const items = value as readonly unknown[];
    // A hole reads as undefined, which the writer tags and JSON would write as null.
    for (let index = 0; index < items.length; index++) if (!plain(items[index], depth + 1, maxDepth)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  let count = 0;
  let first = '';
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (FORBIDDEN_KEYS.has(key) || !plain(object[key], depth + 1, maxDepth)) return false;
    if (count++ === 0) first = key;
  }
  return !(count === 1 && first.startsWith('$'));
}

/**
 * Whether parsed JSON is already the payload: no object that reads as a tag (one key starting
 * with `$`), no forbidden key, no container nesting `maxDepth` deep or deeper. `JSON.parse`
 * builds fresh plain objects and arrays only, so such a value needs no copy. Anything else
 * answers `false`, and the caller takes the tag reader, which revives the tags or refuses the
 * body with the right error.
 *
 * @internal
 */
export function isUntaggedJson(parsed: unknown, maxDepth: number): boolean {
  return untagged(parsed, 0, maxDepth);
}

function untagged(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= maxDepth) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (!untagged(value[index], depth + 1, maxDepth)) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  let count = 0;
  let first = '';
  for (const key in object) {
    // Own keys only: an enumerable key on a polluted prototype must not hide a one-key tag.
    if (!Object.hasOwn(object, key)) continue;
    if (FORBIDDEN_KEYS.has(key) || !untagged(object[key], depth + 1, maxDepth)) return false;
    if (count++ === 0) first = key;
  }
  return !(count === 1 && first.startsWith('$'));
}
