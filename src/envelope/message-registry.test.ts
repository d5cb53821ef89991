import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DuplicateMessageNameError, MissingMessageNameError } from './message-name-errors.js';
import { MessageRegistry } from './message-registry.js';

class SendInvoice {
  constructor(readonly invoiceId: string) {}
}
class CancelInvoice {}

describe('MessageRegistry', () => {
  it('looks a registered class up by class and by name', () => {
    const registry = new MessageRegistry();
    const schema = z.object({ invoiceId: z.string() });
    registry.register(SendInvoice, { name: 'billing.send-invoice', version: 3, schema });
    expect(registry.nameOf(SendInvoice)).toBe('billing.send-invoice');
    expect(registry.definitionOf(SendInvoice)).toEqual({ messageClass: SendInvoice, name: 'billing.send-invoice', version: 3, schema });
    expect(registry.findByName('billing.send-invoice')).toEqual({ messageClass: SendInvoice, name: 'billing.send-invoice', version: 3, schema });
    expect(registry.findByClass(SendInvoice)?.name).toBe('billing.send-invoice');
  });

  it('defaults the version to 1 and the schema to none', () => {
    const registry = new MessageRegistry();
    const definition = registry.register(SendInvoice, { name: 'billing.send-invoice' });
    expect(definition.version).toBe(1);
    expect(definition.schema).toBeUndefined();
  });

  it('answers undefined for names and classes it does not know', () => {
    const registry = new MessageRegistry();
    registry.register(SendInvoice, { name: 'billing.send-invoice' });
    expect(registry.findByName('billing.cancel-invoice')).toBeUndefined();
    expect(registry.findByClass(CancelInvoice)).toBeUndefined();
  });

  it('throws MissingMessageNameError saying how to give the class a name', () => {
    const registry = new MessageRegistry();
    expect(() => registry.nameOf(CancelInvoice)).toThrow(MissingMessageNameError);
    expect(() => registry.definitionOf(CancelInvoice)).toThrow(
      /CancelInvoice has no message name.*@messageName\('billing\.cancel-invoice'\).*messageRegistry\.register\(CancelInvoice, \{ name: 'billing\.cancel-invoice' \}\)/,
    );
  });

  it('does not let a subclass inherit its parent name, and says so', () => {
    const registry = new MessageRegistry();
    class SendUrgentInvoice extends SendInvoice {}
    registry.register(SendInvoice, { name: 'billing.send-invoice' });
    expect(registry.findByClass(SendUrgentInvoice)).toBeUndefined();
    expect(() => registry.nameOf(SendUrgentInvoice)).toThrow(
      /SendUrgentInvoice has no message name.*parent SendInvoice is named "billing\.send-invoice", but names are not inherited/,
    );
  });

  it('refuses a name already taken by another class, and keeps the first', () => {
    const registry = new MessageRegistry();
    registry.register(SendInvoice, { name: 'billing.invoice' });
    expect(() => registry.register(CancelInvoice, { name: 'billing.invoice' })).toThrow(DuplicateMessageNameError);
    expect(() => registry.register(CancelInvoice, { name: 'billing.invoice' })).toThrow(
      /"billing\.invoice" is already taken by SendInvoice, so CancelInvoice cannot use it/,
    );
    expect(registry.findByName('billing.invoice')?.messageClass).toBe(SendInvoice);
    expect(registry.findByClass(CancelInvoice)).toBeUndefined();
  });

  it('refuses two same-named classes under one name (class names are not identities)', () => {
    const registry = new MessageRegistry();
    const make = () => class Twin {};
    registry.register(make(), { name: 'twin' });
    expect(() => registry.register(make(), { name: 'twin' })).toThrow(DuplicateMessageNameError);
  });

  it('refuses a second name for a registered class, and keeps the first', () => {
    const registry = new MessageRegistry();
    registry.register(SendInvoice, { name: 'billing.send-invoice' });
    const error = (() => {
      try {
        registry.register(SendInvoice, { name: 'billing.send' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DuplicateMessageNameError);
    expect((error as DuplicateMessageNameError).messageName).toBe('billing.send');
    expect((error as Error).message).toMatch(
      /SendInvoice is already registered as "billing\.send-invoice", so it cannot also be registered as "billing\.send"/,
    );
    expect(registry.findByName('billing.send')).toBeUndefined();
    expect(registry.nameOf(SendInvoice)).toBe('billing.send-invoice');
  });

  it('refuses the same name with another version or schema', () => {
    const registry = new MessageRegistry();
    registry.register(SendInvoice, { name: 'billing.send-invoice', version: 1 });
    expect(() => registry.register(SendInvoice, { name: 'billing.send-invoice', version: 2 })).toThrow(
      /already registered as "billing\.send-invoice" with another version or schema/,
    );
    expect(() => registry.register(SendInvoice, { name: 'billing.send-invoice', schema: z.object({}) })).toThrow(DuplicateMessageNameError);
    expect(registry.nameOf(SendInvoice)).toBe('billing.send-invoice');
    expect(registry.definitionOf(SendInvoice).version).toBe(1);
  });

  it('accepts the very same registration twice and returns the stored definition', () => {
    const registry = new MessageRegistry();
    const first = registry.register(SendInvoice, { name: 'billing.send-invoice', version: 2 });
    expect(registry.register(SendInvoice, { name: 'billing.send-invoice', version: 2 })).toBe(first);
  });

  it.each([
    ['null', null],
    ['a string', 'SendInvoice'],
    ['an instance', new CancelInvoice()],
    ['an arrow function', () => 1],
  ])('rejects %s as a message class with a TypeError', (_label, value) => {
    expect(() => new MessageRegistry().register(value as never, { name: 'x' })).toThrow(/register expects a message class as its first argument.*got/);
  });

  it.each([
    ['an empty name', ''],
    ['a leading space', ' billing'],
    ['a space inside', 'send invoice'],
    ['a leading dot', '.send'],
    ['a number', 42],
    ['256 characters', 'a'.repeat(256)],
  ])('rejects %s as a name with a TypeError that quotes the value', (_label, name) => {
    expect(() => new MessageRegistry().register(SendInvoice, { name } as never)).toThrow(TypeError);
    expect(() => new MessageRegistry().register(SendInvoice, { name } as never)).toThrow(
      /register expects a message name of 1 to 255 letters.*got (the string|the number)/,
    );
  });

  it('accepts names with the documented punctuation', () => {
    const registry = new MessageRegistry();
    expect(registry.register(SendInvoice, { name: 'urn:acme/billing@2_send-invoice.v1' }).name).toBe('urn:acme/billing@2_send-invoice.v1');
  });

  it.each([
    ['zero', 0],
    ['a fraction', 1.5],
    ['a string', '2'],
    ['NaN', Number.NaN],
  ])('rejects %s as a version with a TypeError', (_label, version) => {
    expect(() => new MessageRegistry().register(SendInvoice, { name: 'x', version } as never)).toThrow(
      /register option "version" must be an integer >= 1; got/,
    );
  });

  it.each([
    ['a plain object', {}],
    ['a ~standard without validate', { '~standard': { version: 1 } }],
    ['a function', () => true],
  ])('rejects %s as a schema with a TypeError', (_label, schema) => {
    expect(() => new MessageRegistry().register(SendInvoice, { name: 'x', schema } as never)).toThrow(
      /register option "schema" must be a Standard Schema.*got/,
    );
  });

  it('accepts a Standard Schema that is a function (as arktype makes them)', () => {
    const schema = Object.assign(() => true, { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) } });
    expect(new MessageRegistry().register(SendInvoice, { name: 'x', schema }).schema).toBe(schema);
  });

  it('rejects options that are not an object', () => {
    expect(() => new MessageRegistry().register(SendInvoice, 'billing' as never)).toThrow(
      /register expects \{ name, version\?, schema\? \}.*got the string "billing"/,
    );
  });
});
