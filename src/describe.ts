/** Describes any value in a few words for an error message: what kind of value it is, and which. */
export function describe(value: unknown): string {
  if (typeof value === 'function') return `the ${isClass(value) ? 'class' : 'function'} ${nameOf(value)}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value !== 'object' || value === null) return value == null ? String(value) : `the ${typeof value} ${value as number}`;
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
