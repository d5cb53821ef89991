import { describe, expect, it } from 'vitest';
import { createAttachDecorator, MessageRouter } from './index.js';

describe('@command (createAttachDecorator)', () => {
  it('names a Symbol given as the decorated target in its own words', () => {
    const command = createAttachDecorator(new MessageRouter());
    expect(() => command(() => 'ok')(Symbol('SayHello') as never)).toThrow(
      /@command\(handler\) expects a class to decorate; got the symbol Symbol\(SayHello\)/,
    );
  });

  it('names a Symbol given as the handler in its own words and attaches nothing', () => {
    const router = new MessageRouter();
    class SayHello {}
    expect(() => createAttachDecorator(router)(Symbol('handler') as never)(SayHello as never)).toThrow(
      /The handler for SayHello must be a function, or a class or object with a handle\(message\) method; got the symbol Symbol\(handler\)/,
    );
    expect(router.has(SayHello)).toBe(false);
  });
});
