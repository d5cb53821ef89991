/** Describes any value in a few words for an error message: its type and a short preview. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'function':
      return isClass(value) ? `the class ${nameOf(value)}` : `the function ${value.name || '(anonymous)'}`;
    case 'object': {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === null || proto === Object.prototype) return 'a plain object';
      if (Array.isArray(value)) return 'an array';
      return `an instance of ${nameOf(value.constructor)}`;
    }
    default:
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only primitives reach here
      return `the ${typeof value} ${String(value)}`;
  }
}

/** A class's name for messages, or `(anonymous class)`. */
export function nameOf(value: unknown): string {
  return typeof value === 'function' && value.name ? value.name : '(anonymous class)';
}

/** Whether a value can be used with `new`: a `class` or an ES5 constructor function. */
export function isClass(value: unknown): value is abstract new (...args: never[]) => object {
  return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
}
