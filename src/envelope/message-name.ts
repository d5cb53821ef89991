import { describe, isClass } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import { checkMessageName, MessageRegistry, messageRegistry, type MessageNameOptions } from './message-registry.js';

/** A class decorator that registers the decorated class under a message name; returns the class unchanged. */
export type MessageNameDecorator = <C extends MessageClass>(target: C, context?: ClassDecoratorContext) => C;

/**
 * Makes a `messageName`-style decorator that registers into the given registry.
 *
 * @throws {TypeError} when `registry` is not a MessageRegistry.
 * @example
 * const registry = new MessageRegistry();
 * const named = createMessageNameDecorator(registry);
 * @named('billing.send-invoice') class SendInvoice {}
 */
export function createMessageNameDecorator(registry: MessageRegistry): (name: string, options?: MessageNameOptions) => MessageNameDecorator {
  if (!(registry instanceof MessageRegistry)) {
    throw new TypeError(`createMessageNameDecorator expects a MessageRegistry; got ${describe(registry)}.`);
  }
  return (name, options) => {
    const { version, schema } = checkMessageName('@messageName', name, options);
    return ((target: unknown, context?: unknown) => {
      const kind = (context as { kind?: unknown } | undefined)?.kind;
      if (!isClass(target) || (context !== undefined && kind !== 'class')) {
        throw new TypeError(
          `@messageName(${JSON.stringify(name)}) decorates a class declaration; it was applied to ${kind === undefined ? describe(target) : `a ${typeof kind === 'string' ? kind : describe(kind)}`}.`,
        );
      }
      registry.register(target, schema === undefined ? { name, version } : { name, version, schema });
      return target;
    }) as MessageNameDecorator;
  };
}

/**
 * Gives the decorated class its stable name on the wire, in the default {@link messageRegistry}.
 * Works under TypeScript's standard decorators, under `experimentalDecorators`, and as a plain
 * call (`messageName('billing.send-invoice')(SendInvoice)`); returns the class unchanged.
 *
 * Rules: the name is 1 to 255 of letters, digits and `. _ - : / @`, starting with a letter or
 * digit; it must never change once messages with it may be in a queue; it is not inherited.
 *
 * @param name - the stable name, such as `billing.send-invoice`.
 * @param options - `version` (default 1) and an optional Standard Schema for the payload.
 * @throws {TypeError} when the name or options are not valid, or it decorates anything but a class.
 * @throws {DuplicateMessageNameError} when the name is taken by another class, or the class already has another name.
 * @example
 * @messageName('billing.send-invoice', { version: 2, schema: z.object({ invoiceId: z.string() }) })
 * class SendInvoice { constructor(readonly invoiceId: string) {} }
 */
export const messageName: (name: string, options?: MessageNameOptions) => MessageNameDecorator = createMessageNameDecorator(messageRegistry);
