import { nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import { FORBIDDEN_KEYS } from './json-tags.js';
import { MessageDecodeError } from './message-decode-error.js';

/**
 * Makes an instance of `messageClass` holding `data`'s own enumerable fields, without calling
 * the constructor: a new object with the class's prototype, each field defined as an own data
 * property, as class fields are. `instanceof` and the class's methods work; private `#fields`
 * and constructor side effects do not exist on the result.
 *
 * @internal
 * @throws {MessageDecodeError} `invalid-payload` when `data` has a `__proto__`, `constructor`
 * or `prototype` key (a codec must never give one back; this is the last line of defence).
 */
export function revive(messageClass: MessageClass, data: object, messageName: string): object {
  for (let index = 0; index < FORBIDDEN.length; index++) {
    const key = FORBIDDEN[index] as string;
    if (Object.hasOwn(data, key) && Object.prototype.propertyIsEnumerable.call(data, key)) {
      throw new MessageDecodeError(
        'invalid-payload',
        `The payload of ${JSON.stringify(messageName)} has the key ${JSON.stringify(key)}, refused to prevent prototype pollution; it was not revived into ${nameOf(messageClass)}.`,
        { messageName },
      );
    }
  }
  // A spread in a literal defines each own enumerable field as an own data property, as class
  // fields are (a setter on the prototype never runs on untrusted data), in one step; the
  // `__proto__: ` entry sets the prototype.
  return { __proto__: messageClass.prototype as object, ...data };
}

const FORBIDDEN: readonly string[] = [...FORBIDDEN_KEYS];
