import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DuplicateMessageNameError } from './message-name-errors.js';
import { createMessageNameDecorator, messageName } from './message-name.js';
import { MessageRegistry, messageRegistry } from './message-registry.js';

describe('messageName', () => {
  it('registers the class under TC39 decorators (called with a class context) and returns it unchanged', () => {
    const registry = new MessageRegistry();
    class SendInvoice {}
    const returned = createMessageNameDecorator(registry)('billing.send-invoice')(SendInvoice, { kind: 'class', name: 'SendInvoice' } as ClassDecoratorContext);
    expect(returned).toBe(SendInvoice);
    expect(registry.nameOf(SendInvoice)).toBe('billing.send-invoice');
  });

  it('registers the class under experimentalDecorators and as a plain call (no context)', () => {
    const registry = new MessageRegistry();
    class SendInvoice {}
    expect(createMessageNameDecorator(registry)('billing.send-invoice')(SendInvoice)).toBe(SendInvoice);
    expect(registry.findByName('billing.send-invoice')?.messageClass).toBe(SendInvoice);
  });

  it('stores the version and schema it is given', () => {
    const registry = new MessageRegistry();
    const schema = z.object({ id: z.string() });
    class SendInvoice {}
    createMessageNameDecorator(registry)('billing.send-invoice', { version: 4, schema })(SendInvoice);
    expect(registry.definitionOf(SendInvoice)).toMatchObject({ version: 4, schema });
  });

  it('registers into the default messageRegistry', () => {
    class ShipOrder {}
    messageName('test.message-name.ship-order')(ShipOrder);
    expect(messageRegistry.nameOf(ShipOrder)).toBe('test.message-name.ship-order');
  });

  it('checks the name and options when called, before decorating anything', () => {
    expect(() => messageName('bad name')).toThrow(/@messageName expects a message name.*got the string "bad name"/);
    expect(() => messageName('ok', { version: -1 })).toThrow(/@messageName option "version" must be an integer >= 1; got the number -1/);
    expect(() => messageName('ok', { schema: {} as never })).toThrow(/@messageName option "schema" must be a Standard Schema/);
  });

  it('refuses to decorate a method or a non-class, naming what it was applied to', () => {
    const decorate = createMessageNameDecorator(new MessageRegistry())('x');
    // A method is a plain function with a prototype, so only the context tells it from a class.
    expect(() => decorate(function run() {} as never, { kind: 'method', name: 'run' } as never)).toThrow(
      /decorates a class declaration; it was applied to a method/,
    );
    expect(() => decorate('SendInvoice' as never)).toThrow(/it was applied to the string "SendInvoice"/);
  });

  it('throws DuplicateMessageNameError when two classes take one name', () => {
    const named = createMessageNameDecorator(new MessageRegistry());
    named('billing.invoice')(class First {});
    expect(() => named('billing.invoice')(class Second {})).toThrow(DuplicateMessageNameError);
  });

  it('rejects a registry that is not a MessageRegistry', () => {
    expect(() => createMessageNameDecorator({} as never)).toThrow(/createMessageNameDecorator expects a MessageRegistry; got a plain object/);
  });
});
