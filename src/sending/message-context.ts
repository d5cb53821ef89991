import { describe } from '../describe.js';

/**
 * What a sender needs to know about the message being handled right now, so that a command
 * sent from inside its handler inherits the correlation id, names it as its cause and continues
 * its trace.
 */
export interface MessageContext {
  /** The id of the message being handled; becomes the causation id of what it sends. */
  readonly messageId: string;
  /** The correlation id of the message being handled; inherited by what it sends. */
  readonly correlationId: string | undefined;
  /** The W3C `traceparent` of the message being handled, when it has one. */
  readonly traceparent: string | undefined;
  /** The W3C `tracestate` that goes with `traceparent`, when it has one. */
  readonly tracestate: string | undefined;
}

/** Answers which message is being handled in the current asynchronous flow, if any. */
export type MessageContextProvider = () => MessageContext | undefined;

const none: MessageContextProvider = () => undefined;
let provider: MessageContextProvider = none;
let readerExists = false;

/**
 * Says that something in this process reads the message context (every `Sender` does), so
 * that workers keep a message scope for their handlers from now on.
 *
 * @internal
 */
export function registerMessageContextReader(): void {
  readerExists = true;
}

/**
 * Whether something in this process reads the message context; until then a worker need not
 * pay for keeping one.
 *
 * @internal
 */
export function messageContextReaderExists(): boolean {
  return readerExists;
}

/**
 * Installs the function that {@link currentMessageContext} asks. The worker installs one backed
 * by `AsyncLocalStorage` when it is built; this module stays free of Node APIs so the sending
 * side runs anywhere.
 *
 * Rules: one provider at a time, the last installed wins; pass `undefined` to remove it. The
 * provider is called on every send, so it must be cheap and must not throw.
 *
 * @throws {TypeError} when `next` is neither a function nor `undefined`.
 * @example
 * const storage = new AsyncLocalStorage<MessageContext>();
 * setMessageContextProvider(() => storage.getStore());
 */
export function setMessageContextProvider(next: MessageContextProvider | undefined): void {
  if (next !== undefined && typeof next !== 'function') {
    throw new TypeError(`setMessageContextProvider expects a function () => MessageContext | undefined, or undefined; got ${describe(next)}.`);
  }
  provider = next ?? none;
}

/**
 * The message being handled in the current asynchronous flow, or `undefined` outside a
 * worker's handler (or when no provider is installed). A worker keeps this scope for its
 * handlers once the process has built a `Sender`, or always with its `messageScope: true`.
 */
export function currentMessageContext(): MessageContext | undefined {
  return provider();
}
