import { nameOf } from './describe.js';

/**
 * Thrown by `attach` when the message class already has a handler on that router.
 * The first handler stays attached.
 */
export class HandlerAlreadyAttachedError extends Error {
  override name = 'HandlerAlreadyAttachedError';

  /** The class that already had a handler. */
  readonly messageClass: abstract new (...args: never[]) => object;

  constructor(messageClass: abstract new (...args: never[]) => object) {
    super(
      `${nameOf(messageClass)} already has a handler attached; a command has exactly one handler. ` +
        `Remove the second @command(...) or attach(...) for ${nameOf(messageClass)}, or attach it to another MessageRouter.`,
    );
    this.messageClass = messageClass;
  }
}

/** Thrown by `dispatch` and `findFor` when no handler is attached to the message's class. */
export class NoHandlerAttachedError extends Error {
  override name = 'NoHandlerAttachedError';

  /** The class of the message that had no handler. */
  readonly messageClass: abstract new (...args: never[]) => object;

  constructor(messageClass: abstract new (...args: never[]) => object) {
    const name = nameOf(messageClass);
    super(
      `No handler is attached to ${name}. Decorate the class with @command(Handler), ` +
        `or call router.attach(${name}, handler) on the router this bus uses.`,
    );
    this.messageClass = messageClass;
  }
}
