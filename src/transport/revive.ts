import { nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import { FORBIDDEN_KEYS } from './json-tags.js';
import { MessageDecodeError } from './message-decode-error.js';

/**
 * Makes an instance of `messageClass` holding `data`'s own enumerable fields, without calling
 * the constructor: `Object.create(messageClass.prototype)`, then each field defined as an own
 * data property, as class fields are. `instanceof` and the class's methods work; private
 * `#fields` and constructor side effects do not exist on the result.
 *
 * @internal
 * @throws {MessageDecodeError} `invalid-payload` when `data` has a `__proto__`, `constructor`
 * or `prototype` key (a codec must never give one back; this is the last line of defence).
 */
export function revive(messageClass: MessageClass, data: object, messageName: string): object {
  for (const key of FORBIDDEN_KEYS) {
    if (Object.prototype.propertyIsEnumerable.call(data, key)) {
      throw new MessageDecodeError('invalid-payload', `The payload of ${JSON.stringify(messageName)} has the key ${JSON.stringify(key)}, refused to prevent prototype pollution; it was not revived into ${nameOf(messageClass)}.`, { messageName });
    }
  }
  if (Object.getOwnPropertySymbols(data).length === 0) {
    // A spread in a literal defines each field as an own data property, as class fields are (a
    // setter on the prototype never runs on untrusted data), in one step; `__proto__: ` sets the prototype.
    return { __proto__: messageClass.prototype as object, ...data };
  }
  const instance = Object.create(messageClass.prototype as object) as object;
  for (const key of Object.keys(data)) {
    // defineProperty, not assignment: a setter on the prototype must not run on untrusted data.
    Object.defineProperty(instance, key, { value: (data as Record<string, unknown>)[key], writable: true, enumerable: true, configurable: true });
  }
  return instance;
}
