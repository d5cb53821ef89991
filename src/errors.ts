import { nameOf } from './describe.js';
import type { MessageClass } from './message-router.js';

/**
 * Thrown by `attach` when the message class already has a handler on that router.
 * The first handler stays attached.
 */
export class HandlerAlreadyAttachedError extends Error {
  override name = 'HandlerAlreadyAttachedError';
  /** The class that already had a handler. */
  declare readonly messageClass: MessageClass;

  constructor(messageClass: MessageClass) {
    super(
      `${nameOf(messageClass)} already has a handler; a command has exactly one. Remove the second @command(...) or attach(...), or attach it to another router.`,
    );
    // Assigned, not declared as a field, so that the bundle does not carry the name twice.
    this.messageClass = messageClass;
  }
}

/** Thrown by `dispatch` and `findFor` when no handler is attached to the message's class. */
export class NoHandlerAttachedError extends Error {
  override name = 'NoHandlerAttachedError';
  /** The class of the message that had no handler. */
  declare readonly messageClass: MessageClass;

  constructor(messageClass: MessageClass) {
    super(
      `No handler is attached to ${nameOf(messageClass)}: decorate it with @command(Handler) or call router.attach(${nameOf(messageClass)}, handler) on the bus's router.`,
    );
    this.messageClass = messageClass;
  }
}
