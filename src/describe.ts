/**
 * Describes any value in a few words for an error message: what kind of value it is, and which
 * (`the string "x"`, `the symbol Symbol(x)`, `a plain object`, `an instance of Order`,
 * `the class SayHello`).
 *
 * It reads the value's prototype, its constructor's `name` and a function's `prototype`, so a
 * value that throws when looked at (a revoked proxy, a throwing getter) makes it throw. It has
 * no try/catch of its own, to keep the core entry small.
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
