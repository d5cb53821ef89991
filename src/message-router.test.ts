import { describe, expect, it } from 'vitest';
import { HandlerAlreadyAttachedError, MessageRouter, NoHandlerAttachedError } from './index.js';

class SayHello {
  constructor(readonly username: string) {}
}

describe('MessageRouter', () => {
  it('finds the handler attached to a message class', () => {
    const router = new MessageRouter();
    const handler = (command: SayHello): string => command.username;
    router.attach(SayHello, handler);
    expect(router.findFor(new SayHello('Tom'))).toBe(handler);
    expect(router.has(SayHello)).toBe(true);
  });

  it('keeps the first handler and throws HandlerAlreadyAttachedError on a second attach', () => {
    const router = new MessageRouter();
    const first = (): string => 'first';
    router.attach(SayHello, first);
    const attachAgain = (): void => {
      router.attach(SayHello, () => 'second');
    };
    expect(attachAgain).toThrow(HandlerAlreadyAttachedError);
    expect(attachAgain).toThrow(/SayHello already has a handler; a command has exactly one/);
    expect(router.findFor(new SayHello('Tom'))).toBe(first);
  });

  it('routes by class identity: same-named classes stay apart, subclasses are not routed to the parent', () => {
    const router = new MessageRouter();
    const makeClass = () =>
      class Duplicate {
        readonly tag = 1;
      };
    const A = makeClass();
    const B = makeClass();
    expect(A.name).toBe(B.name);
    router.attach(A, () => 'a');
    router.attach(B, () => 'b');
    expect(router.findFor(new A())).not.toBe(router.findFor(new B()));

    class LoudHello extends SayHello {}
    router.attach(SayHello, () => 'hello');
    expect(() => router.findFor(new LoudHello('Tom'))).toThrow(NoHandlerAttachedError);
  });

  it('throws NoHandlerAttachedError naming the class and the fix', () => {
    const router = new MessageRouter();
    expect(() => router.findFor(new SayHello('Tom'))).toThrow(NoHandlerAttachedError);
    expect(() => router.findFor(new SayHello('Tom'))).toThrow(/No handler is attached to SayHello.*@command\(Handler\).*router\.attach\(SayHello, handler\)/);
  });

  it.each([
    ['null', null],
    ['a string', 'SayHello'],
    ['a plain object', {}],
    ['an arrow function', () => 1],
  ])('rejects %s as a message class with a TypeError', (_label, key) => {
    const router = new MessageRouter();
    expect(() => {
      router.attach(key as never, (() => 1) as never);
    }).toThrow(TypeError);
    expect(() => {
      router.attach(key as never, (() => 1) as never);
    }).toThrow(/attach expects a message class, such as SayHello; got/);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an object without handle', { run: () => 1 }],
    ['a class without handle', class NoHandle {}],
  ])('rejects %s as a handler with a TypeError and attaches nothing', (_label, handler) => {
    const router = new MessageRouter();
    expect(() => {
      router.attach(SayHello, handler as never);
    }).toThrow(TypeError);
    expect(router.has(SayHello)).toBe(false);
  });

  it('names a Symbol given as the message class or as the handler in its own words', () => {
    const router = new MessageRouter();
    expect(() => {
      router.attach(Symbol('SayHello') as never, (() => 1) as never);
    }).toThrow(/attach expects a message class, such as SayHello; got the symbol Symbol\(SayHello\)/);
    expect(() => {
      router.attach(SayHello, Symbol('handler') as never);
    }).toThrow(/The handler for SayHello must be a function, or a class or object with a handle\(message\) method; got the symbol Symbol\(handler\)/);
    expect(router.has(SayHello)).toBe(false);
  });

  it('detaches a handler', () => {
    const router = new MessageRouter();
    router.attach(SayHello, () => 'x');
    expect(router.detach(SayHello)).toBe(true);
    expect(router.has(SayHello)).toBe(false);
    expect(router.detach(SayHello)).toBe(false);
  });
});
