import type { OutgoingMessage, ReceiveOptions } from './transport.js';

/**
 * Checks the options of `Transport.receive`, for transports to call first.
 *
 * @throws {TypeError} naming the transport, the option, the rule and the value received.
 */
export function checkReceiveOptions(transport: string, options: ReceiveOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${transport} receive() takes an options object; got ${describeValue(options)}.`);
  }
  const rules: readonly [keyof ReceiveOptions, number, number, string][] = [
    ['max', options.max, 1, 'an integer'],
    ['leaseMs', options.leaseMs, 1, 'a finite number'],
    ['waitMs', options.waitMs, 0, 'a finite number'],
  ];
  for (const [name, value, min, kind] of rules) {
    const valid = (name === 'max' ? Number.isInteger(value) : Number.isFinite(value)) && value >= min;
    if (!valid) {
      throw new TypeError(`${transport} receive option "${name}" must be ${kind} >= ${min}; got ${describeValue(value)}.`);
    }
  }
}

/**
 * Checks a duration argument (`retry`'s `delayMs`, `extendLease`'s `leaseMs`), for transports to
 * call first.
 *
 * @throws {TypeError} naming the transport, the call, the argument and the value received.
 */
export function checkDuration(transport: string, call: string, name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new TypeError(`${transport} ${call}(): "${name}" must be a finite number >= ${min}; got ${describeValue(value)}.`);
  }
}

/**
 * Checks messages given to `Transport.send`, for transports to call before sending any.
 *
 * @throws {TypeError} naming the transport, the message index and what is wrong with it.
 */
export function checkOutgoingMessages(transport: string, messages: readonly OutgoingMessage[]): void {
  const list: unknown = messages;
  if (!Array.isArray(list)) {
    throw new TypeError(`${transport} send() takes an array of messages; got ${describeValue(messages)}.`);
  }
  for (let index = 0; index < messages.length; index++) {
    const problem = problemOf(messages[index] as OutgoingMessage);
    if (problem !== undefined) throw new TypeError(`${transport} send(): message ${index} ${problem}.`);
  }
}

function problemOf(message: OutgoingMessage): string | undefined {
  if (typeof message !== 'object' || message === null) return `must be an object; got ${describeValue(message)}`;
  if (typeof message.id !== 'string' || message.id === '' || message.id.includes('\n') || message.id.includes('\r')) {
    return `needs an "id" that is a non-empty string without line breaks; got ${describeValue(message.id)}`;
  }
  if (!(message.body instanceof Uint8Array)) return `needs a "body" that is a Uint8Array; got ${describeValue(message.body)}`;
  if (typeof message.headers !== 'object' || message.headers === null) {
    return `needs "headers" that is an object of strings; got ${describeValue(message.headers)}`;
  }
  const headers = message.headers;
  for (const name in headers) {
    if (Object.hasOwn(headers, name) && typeof headers[name] !== 'string') return `header "${name}" must be a string; got ${describeValue(headers[name])}`;
  }
  if (message.notBefore !== undefined && !Number.isFinite(message.notBefore)) {
    return `has a "notBefore" that is not a finite number of epoch milliseconds; got ${describeValue(message.notBefore)}`;
  }
  return undefined;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
