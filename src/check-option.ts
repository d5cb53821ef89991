import { describe } from './describe.js';

/**
 * The one option checker of troopy: every constructor and function that takes options checks
 * them here, so that the same mistake reads the same everywhere:
 * `RedisTransport option "blockMs" must be an integer >= 1; got the string "5".`
 *
 * Each `xxxOption` returns the checked value, or `fallback` when the value is `undefined`; a
 * `fallback` of `undefined` makes the option required. The value is described by the core's
 * {@link describe}. Only {@link invalidOption} is used by the core's classes, so the rest stays
 * out of an application bundle that imports just the command bus.
 */

/**
 * The error for a bad option: names the owner, the option, the rule and the value received.
 *
 * @example
 * throw invalidOption('Worker', 'concurrency', 'an integer >= 1', 0);
 * // TypeError: Worker option "concurrency" must be an integer >= 1; got the number 0.
 */
export function invalidOption(owner: string, option: string, rule: string, value: unknown): TypeError {
  return new TypeError(`${owner} option "${option}" must be ${rule}; got ${describe(value)}.`);
}

/** The rule a numeric option must keep: `Infinity` and `NaN` are refused unless `infinite` is set. */
export interface NumberRule {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value (finite), if any. */
  readonly max?: number | undefined;
  /** Whether the value must be a whole number (a safe integer: at most 2^53 − 1 in size). @default false */
  readonly integer?: boolean | undefined;
  /** Whether `Infinity` is allowed, for limits that may be switched off. @default false */
  readonly infinite?: boolean | undefined;
  /** Said in parentheses after the rule: the unit (`milliseconds`) or why the bound exists. */
  readonly note?: string | undefined;
}

/**
 * Checks a numeric option.
 *
 * @example
 * numberOption('Worker', 'concurrency', options.concurrency, 1, { min: 1, integer: true });
 * @throws {TypeError} `... must be an integer >= 1 (milliseconds)`, `... must be a finite number from 0 to 1`,
 * `... must be an integer >= 1 or Infinity`; got ...
 */
export function numberOption(owner: string, name: string, value: unknown, fallback: number | undefined, rule: NumberRule): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!meetsNumberRule(value, rule)) throw invalidOption(owner, name, numberRuleText(rule), value);
  return value;
}

/** Whether a value keeps a {@link NumberRule}. */
export function meetsNumberRule(value: unknown, rule: NumberRule): value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < rule.min) return false;
  if (value === Infinity) return rule.infinite === true;
  return (rule.max === undefined || value <= rule.max) && (rule.integer !== true || Number.isSafeInteger(value));
}

/** A {@link NumberRule} in words: `an integer >= 1`, `a finite number from 0 to 1 (seconds)`. */
export function numberRuleText(rule: NumberRule): string {
  const kind = rule.integer === true ? 'an integer' : 'a finite number';
  const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  const infinite = rule.infinite === true ? ' or Infinity' : '';
  const note = rule.note === undefined ? '' : ` (${rule.note})`;
  return `${kind} ${range}${infinite}${note}`;
}

/** The rule a string option must keep: it is never empty. */
export interface StringRule {
  /** A pattern the whole value must match; give `rule` with it to say what it means. */
  readonly pattern?: RegExp | undefined;
  /** The rule in words, replacing the default `a non-empty string [of at most N characters]`. */
  readonly rule?: string | undefined;
  /** Most characters allowed. */
  readonly maxLength?: number | undefined;
  /**
   * Whether the value may hold a secret (a URL with a password): a string that breaks the
   * rule is then shown by its first 8 characters only. @default false
   */
  readonly secret?: boolean | undefined;
}

/**
 * Checks a non-empty string option.
 *
 * @example
 * stringOption('NatsTransport', 'stream', options.stream, 'troopy-commands', { pattern: /^[^\s.]+$/, rule: 'a name without whitespace or "."' });
 * @throws {TypeError} `... must be a non-empty string of at most 200 characters; got the number 5.`
 */
export function stringOption(owner: string, name: string, value: unknown, fallback: string | undefined, rule: StringRule = {}): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && value !== '' && (rule.maxLength === undefined || value.length <= rule.maxLength) && (rule.pattern?.test(value) ?? true)) {
    return value;
  }
  const text = rule.rule ?? `a non-empty string${rule.maxLength === undefined ? '' : ` of at most ${rule.maxLength} characters`}`;
  if (rule.secret === true && typeof value === 'string' && value.length > 8) {
    throw new TypeError(`${owner} option "${name}" must be ${text}; got a string starting with ${JSON.stringify(value.slice(0, 8))}.`);
  }
  throw invalidOption(owner, name, text, value);
}

/**
 * Checks a boolean option.
 *
 * @throws {TypeError} `... must be true or false; got the string "yes".`
 */
export function booleanOption(owner: string, name: string, value: unknown, fallback: boolean | undefined): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(owner, name, 'true or false', value);
  return value;
}

/**
 * Checks that an option is one of a few allowed values.
 *
 * @example
 * oneOfOption('NatsTransport', 'storage', options.storage, 'file', ['file', 'memory'] as const);
 * @throws {TypeError} `... must be "file" or "memory"; got the string "disk".`
 */
export function oneOfOption<T extends string | number | boolean>(
  owner: string,
  name: string,
  value: unknown,
  fallback: T | undefined,
  allowed: readonly T[],
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  const shown = allowed.map((item) => (typeof item === 'string' ? JSON.stringify(item) : String(item)));
  const text = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown.at(-1) ?? ''}` : (shown[0] ?? 'nothing');
  throw invalidOption(owner, name, text, value);
}

/**
 * Checks that an option is an object (not `null`, not an array) and returns it as a record; `{}`
 * when it is `undefined`.
 *
 * @throws {TypeError} `... must be an object; got null.`
 */
export function objectOption(owner: string, name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidOption(owner, name, 'an object', value);
  return value as Record<string, unknown>;
}

/**
 * Checks a function option; `rule` says what it must be (`a function returning a number in [0, 1)`).
 *
 * @throws {TypeError} `... must be a function () => number; got the number 5.`
 */
export function functionOption<F extends (...args: never[]) => unknown>(
  owner: string,
  name: string,
  value: unknown,
  fallback: F | undefined,
  rule = 'a function',
): F {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'function') throw invalidOption(owner, name, rule, value);
  return value as F;
}
