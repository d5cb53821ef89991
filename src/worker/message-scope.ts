import { AsyncLocalStorage } from 'node:async_hooks';
import { setMessageContextProvider, type MessageContext } from '../sending/message-context.js';

const storage = new AsyncLocalStorage<MessageContext>();
const fromStorage = (): MessageContext | undefined => storage.getStore();

/**
 * Makes `currentMessageContext()` answer from this module's `AsyncLocalStorage`, so a command
 * sent from inside a handler inherits the handled message's correlation id, causation and
 * trace. Called by every `Worker` constructor; installing again is harmless.
 */
export function installMessageScope(): void {
  setMessageContextProvider(fromStorage);
}

/** Runs `handle(...args)` with `context` as the current message of everything it awaits or schedules. */
export function runInMessageScope<T, A extends unknown[]>(context: MessageContext, handle: (...args: A) => T, ...args: A): T {
  return storage.run(context, handle, ...args);
}
