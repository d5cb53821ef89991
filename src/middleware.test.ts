import { describe, expect, it } from 'vitest';
import { CommandBus, MessageRouter, type DispatchContext, type Middleware } from './index.js';

class Greet {
  constructor(readonly name: string) {}
}
class Shout {
  constructor(readonly name: string) {}
}

function routerWith(handler: (command: Greet, context?: DispatchContext) => unknown): MessageRouter {
  const router = new MessageRouter();
  router.attach(Greet, handler);
  router.attach(Shout, (command) => command.name.toUpperCase());
  return router;
}

describe('middleware', () => {
  it('runs in array order, first outermost, with code before and after next', () => {
    const log: string[] = [];
    const layer =
      (name: string): Middleware =>
      (message, next) => {
        log.push(`${name} before`);
        const result = next(message);
        log.push(`${name} after`);
        return result;
      };
    const bus = new CommandBus({
      router: routerWith(() => {
        log.push('handler');
        return 'done';
      }),
      middleware: [layer('a'), layer('b')],
    });
    expect(bus.dispatch(new Greet('Tom'))).toBe('done');
    expect(log).toEqual(['a before', 'b before', 'handler', 'b after', 'a after']);
  });

  it('keeps a sync handler sync when no middleware awaits', () => {
    const bus = new CommandBus({ router: routerWith((command) => command.name), middleware: [(message, next) => next(message)] });
    expect(bus.dispatch(new Greet('Tom'))).toBe('Tom');
  });

  it('can await an async handler and run code after it', async () => {
    const log: string[] = [];
    const bus = new CommandBus({
      router: routerWith(async (command) => {
        await Promise.resolve();
        log.push('handled');
        return command.name;
      }),
      middleware: [
        async (message, next) => {
          const result = await next(message);
          log.push('after');
          return `<${String(result)}>`;
        },
      ],
    });
    await expect(bus.dispatch(new Greet('Tom'))).resolves.toBe('<Tom>');
    expect(log).toEqual(['handled', 'after']);
  });

  it('can pass a different message to next, which is routed by its own class', () => {
    const bus = new CommandBus({
      router: routerWith((command) => command.name),
      middleware: [(message, next) => (message instanceof Greet ? next(new Shout(message.name)) : next(message))],
    });
    expect(bus.dispatch(new Greet('tom'))).toBe('TOM');
  });

  it('can return without calling next', () => {
    let handled = false;
    const bus = new CommandBus({
      router: routerWith(() => {
        handled = true;
      }),
      middleware: [() => 'cached'],
    });
    expect(bus.dispatch(new Greet('Tom'))).toBe('cached');
    expect(handled).toBe(false);
  });

  it('can catch sync and async handler errors', async () => {
    const catcher: Middleware = (message, next) => {
      try {
        const result = next(message);
        return result instanceof Promise ? result.catch((error: unknown) => `caught ${(error as Error).message}`) : result;
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    };
    const sync = new CommandBus({
      router: routerWith(() => {
        throw new Error('sync');
      }),
      middleware: [catcher],
    });
    expect(sync.dispatch(new Greet('Tom'))).toBe('caught sync');
    const async = new CommandBus({ router: routerWith(() => Promise.reject(new Error('async'))), middleware: [catcher] });
    await expect(async.dispatch(new Greet('Tom'))).resolves.toBe('caught async');
  });

  it('sees the unattached-class error of the handler step, so it can send the message elsewhere', () => {
    class Remote {}
    const sent: object[] = [];
    const bus = new CommandBus({
      router: new MessageRouter(),
      middleware: [
        (message, next) => {
          if (message instanceof Remote) {
            sent.push(message);
            return 'sent';
          }
          return next(message);
        },
      ],
    });
    expect(bus.dispatch(new Remote())).toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('passes the dispatch context to every layer and the handler, also when next is called without it', () => {
    const seen: (DispatchContext | undefined)[] = [];
    const spy: Middleware = (message, next, context) => {
      seen.push(context);
      return next(message);
    };
    const bus = new CommandBus({
      router: routerWith((_command, context) => {
        seen.push(context);
        return 'ok';
      }),
      middleware: [spy, spy],
    });
    const context = { headers: { 'correlation-id': 'c-1' } };
    bus.dispatch(new Greet('Tom'), context);
    expect(seen).toEqual([context, context, context]);
    expect(seen.every((entry) => entry === context)).toBe(true);
    seen.length = 0;
    bus.dispatch(new Greet('Tom'));
    expect(seen).toEqual([undefined, undefined, undefined]);
  });

  it('lets a layer replace the context for the layers inside it', () => {
    const seen: (DispatchContext | undefined)[] = [];
    const replaced = { headers: { 'correlation-id': 'new' } };
    const bus = new CommandBus({
      router: routerWith((_command, context) => seen.push(context)),
      middleware: [(message, next) => next(message, replaced), (message, next, context) => (seen.push(context), next(message))],
    });
    bus.dispatch(new Greet('Tom'));
    expect(seen).toEqual([replaced, replaced]);
  });
});
