/**
 * Thrown by the transport contract suite when a transport breaks the contract. The message says
 * which rule was broken, what was expected and what the transport did.
 */
export class ContractViolationError extends Error {
  override name = 'ContractViolationError';
}

/** Fails with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ContractViolationError(message);
}

/** Fails unless `actual === expected`. */
export function checkEqual<T>(actual: T, expected: T, what: string): void {
  check(Object.is(actual, expected), `${what}: expected ${show(expected)}, got ${show(actual)}.`);
}

/** Fails unless both byte arrays hold the same bytes. */
export function checkBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  check(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${show(actual)}.`);
  const same = actual.length === expected.length && actual.every((byte, index) => byte === expected[index]);
  check(same, `${what}: expected bytes ${show(expected)}, got ${show(actual)}.`);
}

/** Fails unless both header records have the same names and values. */
export function checkHeaders(actual: Readonly<Record<string, string>>, expected: Readonly<Record<string, string>>, what: string): void {
  const names = (record: Readonly<Record<string, string>>): string => JSON.stringify(Object.keys(record).sort());
  const same = names(actual) === names(expected) && Object.entries(expected).every(([name, value]) => actual[name] === value);
  check(same, `${what}: expected headers ${show(expected)}, got ${show(actual)}.`);
}

/** Fails unless both lists hold the same strings in the same order. */
export function checkList(actual: readonly string[], expected: readonly string[], what: string): void {
  check(JSON.stringify(actual) === JSON.stringify(expected), `${what}: expected ${show(expected)}, got ${show(actual)}.`);
}

/** A value in a few words for a failure message. */
function show(value: unknown): string {
  if (value instanceof Uint8Array) {
    const shown = [...value.subarray(0, 32)].join(',');
    return `[${shown}${value.length > 32 ? `,… (${value.length} bytes)` : ''}]`;
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // fall through: a value JSON cannot show (a cycle, a BigInt)
  }
  return typeof value === 'bigint' ? `${value}n` : typeof value;
}
