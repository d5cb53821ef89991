/** The rule a numeric option must keep. */
export interface NumberRule {
  /** Smallest allowed value. */
  readonly min: number;
  /** Whether the value must be a whole number. */
  readonly integer?: boolean | undefined;
  /** Whether `Infinity` is allowed (for limits that may be switched off). */
  readonly infinite?: boolean | undefined;
}

/**
 * Checks one numeric option and returns it, or `fallback` when it is `undefined`.
 *
 * @throws {TypeError} naming the owner, the option, the rule and the value received.
 */
export function numberOption(owner: string, name: string, value: unknown, fallback: number, rule: NumberRule): number {
  if (value === undefined) return fallback;
  const valid =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    value >= rule.min &&
    (Number.isFinite(value) ? rule.integer !== true || Number.isInteger(value) : rule.infinite === true);
  if (!valid) {
    const kind = rule.integer === true ? 'an integer' : 'a number';
    const infinite = rule.infinite === true ? ' (or Infinity)' : '';
    throw new TypeError(`${owner} option "${name}" must be ${kind} >= ${rule.min}${infinite}; got ${show(value)}.`);
  }
  return value;
}

/**
 * Checks that an option is a plain object (or absent) and returns it as a record.
 *
 * @throws {TypeError} naming the owner and the option.
 */
export function objectOption(owner: string, name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${owner} option "${name}" must be an object; got ${show(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** A value in a few words, for an option error. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
