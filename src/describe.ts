/**
 * Describes any value in a few words for an error message: what kind of value it is, and which
 * (`the string "x"`, `the symbol Symbol(x)`, `a plain object`, `an instance of Order`,
 * `the class SayHello`).
 *
 * It reads the value's prototype, its constructor's `name` and a function's `prototype`, so a
 * value that throws when looked at (a revoked proxy, a throwing getter) makes it throw. It has
 * no try/catch of its own, to keep the core entry small: describe what a handler threw with
 * {@link describeThrown}, which never throws.
 */
export function describe(value: unknown): string {
  if (typeof value === 'function') return `the ${isClass(value) ? 'class' : 'function'} ${nameOf(value)}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  // String(), not a template literal, which throws on a symbol; value is a number, bigint, boolean or symbol here.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- no object reaches this String()
  if (typeof value !== 'object' || value === null) return value == null ? String(value) : `the ${typeof value} ${String(value)}`;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype ? 'a plain object' : `an instance of ${nameOf(value.constructor)}`;
}

/** A class's or function's name for messages, or `(anonymous)`. */
export function nameOf(value: unknown): string {
  return (value as { name?: unknown } | null)?.name ? String((value as { name: unknown }).name) : '(anonymous)';
}

/** Whether a value can be used with `new`: a `class` or an ES5 constructor function. */
export function isClass(value: unknown): value is abstract new (...args: never[]) => object {
  return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
}

/** A thrown value as the worker records it: see {@link describeThrown}. */
export interface ThrownDescription {
  /** The Error's `name`, or `non-error` when something other than an Error was thrown; never empty. */
  readonly name: string;
  /** The Error's `message` (may be empty), the thrown string, or a {@link describe description} of the thrown value (never empty). */
  readonly message: string;
}

/**
 * Reads whatever was thrown as a name and a message, and never throws itself: an Error gives
 * its `name` and `message` (one that is not a string is described, one whose getter throws is
 * called unreadable); anything else is a `non-error`, whose message is the thrown string or
 * what {@link describe} says of it (an empty string, a symbol, a null-prototype object, a
 * proxy that cannot be inspected), never empty. Only `name` and `message` are read, never
 * `stack` or `cause`.
 *
 * @example
 * describeThrown(new TypeError('bad card')); // { name: 'TypeError', message: 'bad card' }
 * describeThrown(Symbol('x')); // { name: 'non-error', message: 'the symbol Symbol(x)' }
 */
export function describeThrown(thrown: unknown): ThrownDescription {
  let isError: boolean;
  try {
    // instanceof reads the prototype, which a revoked proxy refuses.
    isError = thrown instanceof Error;
  } catch {
    isError = false;
  }
  if (!isError) return { name: 'non-error', message: typeof thrown === 'string' && thrown !== '' ? thrown : describeSafely(thrown) };
  const name = readText(thrown as Error, 'name');
  return { name: name === '' ? 'Error' : name, message: readText(thrown as Error, 'message') };
}

/** An Error's `name` or `message` as text: a string as it is, another value described, a throwing getter named. */
function readText(error: Error, property: 'name' | 'message'): string {
  let value: unknown;
  try {
    value = error[property];
  } catch {
    return `an unreadable ${property}`;
  }
  return typeof value === 'string' ? value : describeSafely(value);
}

/** {@link describe}, or a fixed phrase for a value that throws when looked at (a revoked proxy, a proxy whose traps throw). */
function describeSafely(value: unknown): string {
  try {
    return describe(value);
  } catch {
    return 'a value that cannot be inspected';
  }
}
