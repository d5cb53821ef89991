import { describe, expect, it, vi } from 'vitest';
import { CommandBus, MessageBus, MessageRouter, NoHandlerAttachedError, messageRouter } from './index.js';

class SayHello {
  constructor(readonly username: string) {}
}
class Unattached {}

function busWith(handler: Parameters<MessageRouter['attach']>[1]): CommandBus {
  const router = new MessageRouter();
  router.attach(SayHello, handler);
  return new CommandBus({ router });
}

describe('CommandBus.dispatch', () => {
  it('returns a sync handler result synchronously, not as a promise', () => {
    const bus = busWith((command: SayHello) => `Hello ${command.username}`);
    const result = bus.dispatch(new SayHello('Tom'));
    expect(result).toBe('Hello Tom');
  });

  it('returns an async handler promise as it is', async () => {
    const promise = Promise.resolve('async');
    const bus = busWith(() => promise);
    const result = bus.dispatch(new SayHello('Tom'));
    expect(result).toBe(promise);
    await expect(result).resolves.toBe('async');
  });

  it('propagates a thrown error unchanged and synchronously', () => {
    const error = new RangeError('boom');
    const bus = busWith(() => {
      throw error;
    });
    let caught: unknown;
    try {
      bus.dispatch(new SayHello('Tom'));
    } catch (thrown) {
      caught = thrown;
    }
    expect(caught).toBe(error);
  });

  it('propagates a rejection unchanged', async () => {
    const error = new RangeError('async boom');
    const bus = busWith(() => Promise.reject(error));
    await expect(bus.dispatch(new SayHello('Tom'))).rejects.toBe(error);
  });

  it('builds a class handler through handlerFactory on every dispatch', () => {
    const built: object[] = [];
    class HelloHandler {
      constructor(readonly greeting: string) {}
      handle(command: SayHello): string {
        return `${this.greeting} ${command.username}`;
      }
    }
    const router = new MessageRouter();
    router.attach(SayHello, HelloHandler);
    const handlerFactory = vi.fn((HandlerClass: new (...args: unknown[]) => object) => {
      const instance = new HandlerClass('Hi');
      built.push(instance);
      return instance as never;
    });
    const bus = new CommandBus({ router, handlerFactory });
    expect(bus.dispatch(new SayHello('Tom'))).toBe('Hi Tom');
    expect(bus.dispatch(new SayHello('Ann'))).toBe('Hi Ann');
    expect(handlerFactory).toHaveBeenCalledTimes(2);
    expect(handlerFactory).toHaveBeenCalledWith(HelloHandler);
    expect(built[0]).not.toBe(built[1]);
  });

  it('builds class handlers with new HandlerClass() by default', () => {
    class HelloHandler {
      handle(command: SayHello): string {
        return command.username.toUpperCase();
      }
    }
    expect(busWith(HelloHandler).dispatch(new SayHello('tom'))).toBe('TOM');
  });

  it('calls an object handler with this bound to the object', () => {
    const handler = {
      prefix: 'Dear',
      handle(command: SayHello): string {
        return `${this.prefix} ${command.username}`;
      },
    };
    expect(busWith(handler).dispatch(new SayHello('Tom'))).toBe('Dear Tom');
  });

  it('passes the dispatch context to the handler', () => {
    const handler = vi.fn(() => 'ok');
    const context = { headers: { 'correlation-id': 'c-1' } };
    busWith(handler).dispatch(new SayHello('Tom'), context);
    expect(handler).toHaveBeenCalledWith(new SayHello('Tom'), context);
  });

  it('reports a factory that returns no handler instance', () => {
    class HelloHandler {
      handle(): string {
        return 'x';
      }
    }
    const router = new MessageRouter();
    router.attach(SayHello, HelloHandler);
    const bus = new CommandBus({ router, handlerFactory: () => ({}) as never });
    expect(() => bus.dispatch(new SayHello('Tom'))).toThrow(
      /handlerFactory must return an instance with a handle\(message\) method.*got a plain object for HelloHandler/,
    );
  });

  it('throws NoHandlerAttachedError for an instance of an unattached class', () => {
    const bus = new CommandBus({ router: new MessageRouter() });
    expect(() => bus.dispatch(new Unattached())).toThrow(NoHandlerAttachedError);
    expect(() => bus.dispatch(new Unattached())).toThrow(/No handler is attached to Unattached/);
  });

  it.each([
    ['null', null, /got null/],
    ['undefined', undefined, /got undefined/],
    ['42', 42, /got the number 42/],
    ["'text'", 'text', /got the string "text"/],
    ['{}', {}, /got a plain object/],
    ['() => 1', () => 1, /got the function/],
    ['a class instead of an instance', SayHello, /got the class SayHello/],
    ['Symbol("x")', Symbol('x'), /got the symbol Symbol\(x\)/],
    ['Object.create(null)', Object.create(null) as object, /got a plain object/],
  ])('throws a clear error for dispatch(%s) and keeps working', (_label, input, detail) => {
    for (const bus of [busWith(() => 'ok'), new CommandBus({ router: new MessageRouter(), middleware: [(m, next) => next(m)] })]) {
      expect(() => bus.dispatch(input as never)).toThrow(Error);
      expect(() => bus.dispatch(input as never)).toThrow(/dispatch expects a command, an instance of a class with a handler, such as new SayHello/);
      expect(() => bus.dispatch(input as never)).toThrow(detail);
    }
    const bus = busWith(() => 'still working');
    expect(() => bus.dispatch(input as never)).toThrow();
    expect(bus.dispatch(new SayHello('Tom'))).toBe('still working');
  });

  it('uses the default messageRouter when no router is given', () => {
    class DefaultRouted {}
    messageRouter.attach(DefaultRouted, () => 'default');
    try {
      expect(new CommandBus().dispatch(new DefaultRouted())).toBe('default');
    } finally {
      messageRouter.detach(DefaultRouted);
    }
  });

  it('exports MessageBus as the same class', () => {
    expect(MessageBus).toBe(CommandBus);
  });

  it.each([
    ['options', 'nope', /option "options" must be an object; got the string "nope"/],
    ['router', { router: {} }, /option "router" must be an instance of MessageRouter; got a plain object/],
    ['handlerFactory', { handlerFactory: 'x' }, /option "handlerFactory" must be a function/],
    ['middleware', { middleware: 'x' }, /option "middleware" must be an array/],
    ['middleware item', { middleware: [null] }, /option "middleware" must be an array of middleware functions; got an instance of Array/],
  ])('rejects a bad %s option with a TypeError naming it', (_label, options, message) => {
    expect(() => new CommandBus(options as never)).toThrow(TypeError);
    expect(() => new CommandBus(options as never)).toThrow(message);
  });
});
