import { nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';

/**
 * Thrown when a command that has no message name is about to cross a process boundary.
 *
 * Class names are never used on the wire (minifiers rename them, and two modules may both
 * have a `SendInvoice`), so every sent class needs an explicit, stable name. Names are not
 * inherited: a subclass of a named class needs its own.
 */
export class MissingMessageNameError extends Error {
  override name = 'MissingMessageNameError';

  /** The class that has no name. */
  readonly messageClass: MessageClass;

  constructor(messageClass: MessageClass, inheritedFrom?: { readonly messageClass: MessageClass; readonly name: string }) {
    const className = nameOf(messageClass);
    const parent =
      inheritedFrom === undefined
        ? ''
        : ` Its parent ${nameOf(inheritedFrom.messageClass)} is named ${JSON.stringify(inheritedFrom.name)}, but names are not inherited.`;
    super(
      `${className} has no message name, so it cannot be sent to another process.${parent} ` +
        `Give it a stable name: decorate the class with @messageName('billing.${kebab(className)}'), ` +
        `or call messageRegistry.register(${className}, { name: 'billing.${kebab(className)}' }).`,
    );
    this.messageClass = messageClass;
  }
}

/**
 * Thrown by `MessageRegistry.register` when a name is already taken by another class, or when
 * a class already registered is registered again with another name, version or schema.
 * The first registration stays.
 */
export class DuplicateMessageNameError extends Error {
  override name = 'DuplicateMessageNameError';

  /** The class whose registration was refused. */
  readonly messageClass: MessageClass;
  /** The name it asked for. */
  readonly messageName: string;

  constructor(messageClass: MessageClass, messageName: string, existing: { readonly messageClass: MessageClass; readonly name: string }) {
    const className = nameOf(messageClass);
    const wanted = JSON.stringify(messageName);
    const had = JSON.stringify(existing.name);
    let message: string;
    if (existing.messageClass !== messageClass) {
      message =
        `The message name ${wanted} is already taken by ${nameOf(existing.messageClass)}, so ${className} cannot use it. ` +
        `Names identify a class on the wire and must be unique; give one of them another name.`;
    } else if (existing.name !== messageName) {
      message =
        `${className} is already registered as ${had}, so it cannot also be registered as ${wanted}. ` +
        `A class has exactly one message name; remove one of the registrations.`;
    } else {
      message =
        `${className} is already registered as ${had} with another version or schema. ` +
        `Register a class once; to change its version or schema, change that one registration.`;
    }
    super(message);
    this.messageClass = messageClass;
    this.messageName = messageName;
  }
}

function kebab(className: string): string {
  const words = className.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return /^[a-z0-9][a-z0-9-]*$/.test(words) ? words : 'my-command';
}
