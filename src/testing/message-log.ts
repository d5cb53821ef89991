import type { MessageClass } from '../message-router.js';

/** The messages a test bus has seen, in order, with filters by class. */
export class MessageLog {
  readonly #messages: object[] = [];

  /** Appends a message. */
  record(message: object): void {
    this.#messages.push(message);
  }

  /** All messages seen, or only the instances of one class (exactly that class), in order. */
  of<C extends MessageClass>(messageClass?: C): InstanceType<C>[] {
    const all = [...this.#messages];
    return (messageClass === undefined ? all : all.filter((message) => message.constructor === messageClass)) as InstanceType<C>[];
  }

  /** Forgets every message seen so far. */
  clear(): void {
    this.#messages.length = 0;
  }
}
