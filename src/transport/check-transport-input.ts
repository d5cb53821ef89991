import { meetsNumberRule, numberOption, numberRuleText } from '../check-option.js';
import { describe } from '../describe.js';
import type { OutgoingMessage, ReceiveOptions } from './transport.js';

/**
 * Checks the options of `Transport.receive`, for transports to call first.
 *
 * @throws {TypeError} naming the transport, the option, the rule and the value received.
 */
export function checkReceiveOptions(transport: string, options: ReceiveOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${transport} receive() takes an options object; got ${describe(options)}.`);
  }
  const owner = `${transport} receive`;
  numberOption(owner, 'max', options.max, undefined, { min: 1, integer: true });
  numberOption(owner, 'leaseMs', options.leaseMs, undefined, { min: 1 });
  numberOption(owner, 'waitMs', options.waitMs, undefined, { min: 0 });
}

/**
 * Checks a duration argument (`retry`'s `delayMs`, `extendLease`'s `leaseMs`), for transports to
 * call first.
 *
 * @throws {TypeError} naming the transport, the call, the argument and the value received.
 */
export function checkDuration(transport: string, call: string, name: string, value: number, min: number): void {
  if (!meetsNumberRule(value, { min })) {
    throw new TypeError(`${transport} ${call}(): "${name}" must be ${numberRuleText({ min })}; got ${describe(value)}.`);
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
    throw new TypeError(`${transport} send() takes an array of messages; got ${describe(messages)}.`);
  }
  for (let index = 0; index < messages.length; index++) {
    const problem = problemOf(messages[index] as OutgoingMessage);
    if (problem !== undefined) throw new TypeError(`${transport} send(): message ${index} ${problem}.`);
  }
}

function problemOf(message: OutgoingMessage): string | undefined {
  if (typeof message !== 'object' || message === null) return `must be an object; got ${describe(message)}`;
  if (typeof message.id !== 'string' || message.id === '' || message.id.includes('\n') || message.id.includes('\r')) {
    return `needs an "id" that is a non-empty string without line breaks; got ${describe(message.id)}`;
  }
  if (!(message.body instanceof Uint8Array)) return `needs a "body" that is a Uint8Array; got ${describe(message.body)}`;
  if (typeof message.headers !== 'object' || message.headers === null) {
    return `needs "headers" that is an object of strings; got ${describe(message.headers)}`;
  }
  const headers = message.headers;
  for (const name in headers) {
    if (Object.hasOwn(headers, name) && typeof headers[name] !== 'string') return `header "${name}" must be a string; got ${describe(headers[name])}`;
  }
  if (message.notBefore !== undefined && !Number.isFinite(message.notBefore)) {
    return `has a "notBefore" that is not a finite number of epoch milliseconds; got ${describe(message.notBefore)}`;
  }
  return undefined;
}
