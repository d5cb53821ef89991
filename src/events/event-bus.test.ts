import { describe, expect, it, vi } from 'vitest';
import { EventBus, EventRouter } from '../index.js';

class UserSignedUp {
  constructor(readonly username: string) {}
}

describe('EventBus.publish', () => {
  it('runs every subscriber (function, class, object) and resolves when all are done', async () => {
    const router = new EventRouter();
    const seen: string[] = [];
    router.subscribe(UserSignedUp, (event) => seen.push(`function ${event.username}`));
    router.subscribe(
      UserSignedUp,
      class {
        async handle(event: UserSignedUp): Promise<void> {
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push(`class ${event.username}`);
        }
      },
    );
    router.subscribe(UserSignedUp, { handle: (event: UserSignedUp) => seen.push(`object ${event.username}`) });
    await new EventBus({ router }).publish(new UserSignedUp('tom'));
    expect(seen.sort()).toEqual(['class tom', 'function tom', 'object tom']);
  });

  it('resolves with no subscribers', async () => {
    await expect(new EventBus({ router: new EventRouter() }).publish(new UserSignedUp('tom'))).resolves.toBeUndefined();
  });

  it('starts subscribers in subscription order and runs async ones concurrently', async () => {
    const router = new EventRouter();
    const log: string[] = [];
    const slow = (name: string) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`end ${name}`);
    };
    router.subscribe(UserSignedUp, slow('a'));
    router.subscribe(UserSignedUp, slow('b'));
    await new EventBus({ router }).publish(new UserSignedUp('tom'));
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b']);
  });

  it('runs all subscribers when some fail, then rejects with an AggregateError of each failure', async () => {
    const router = new EventRouter();
    const syncError = new Error('sync failure');
    const asyncError = new Error('async failure');
    const survivor = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    router.subscribe(UserSignedUp, () => {
      throw syncError;
    });
    router.subscribe(UserSignedUp, () => Promise.reject(asyncError));
    router.subscribe(UserSignedUp, survivor);
    const outcome = await new EventBus({ router }).publish(new UserSignedUp('tom')).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(AggregateError);
    expect((outcome as AggregateError).errors).toEqual([syncError, asyncError]);
    expect(survivor).toHaveBeenCalledTimes(1);
  });

  it('lists synchronous throws first, then rejections in subscription order, not in the order they settle', async () => {
    const router = new EventRouter();
    const firstRejection = new Error('first rejection (subscribed first, settles last)');
    const firstThrow = new Error('first throw');
    const secondRejection = new Error('second rejection (settles first)');
    const secondThrow = new Error('second throw');
    router.subscribe(UserSignedUp, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw firstRejection;
    });
    router.subscribe(UserSignedUp, () => {
      throw firstThrow;
    });
    router.subscribe(UserSignedUp, () => Promise.reject(secondRejection));
    router.subscribe(UserSignedUp, () => {
      throw secondThrow;
    });
    const outcome = await new EventBus({ router }).publish(new UserSignedUp('tom')).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(AggregateError);
    expect((outcome as AggregateError).errors).toEqual([firstThrow, secondThrow, firstRejection, secondRejection]);
  });

  it('leaves no rejection unhandled while an earlier subscriber is still running', async () => {
    const router = new EventRouter();
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    router.subscribe(UserSignedUp, () => new Promise((resolve) => setTimeout(resolve, 20)));
    router.subscribe(UserSignedUp, () => Promise.reject(new Error('fast')));
    process.on('unhandledRejection', record);
    try {
      await expect(new EventBus({ router }).publish(new UserSignedUp('tom'))).rejects.toBeInstanceOf(AggregateError);
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });

  it('runs the then() of a subscriber that returns a lazy thenable once, even when another subscriber fails', async () => {
    const router = new EventRouter();
    let runs = 0;
    const lazy = {
      then(resolve: (value: unknown) => void): void {
        runs++;
        resolve(undefined);
      },
    };
    router.subscribe(UserSignedUp, () => lazy);
    router.subscribe(UserSignedUp, () => Promise.reject(new Error('other')));
    const outcome = await new EventBus({ router }).publish(new UserSignedUp('tom')).catch((failure: unknown) => failure);
    expect((outcome as AggregateError).errors.map((error: Error) => error.message)).toEqual(['other']);
    expect(runs).toBe(1);
  });

  it('rejects with an AggregateError whatever a subscriber throws (a symbol, a revoked proxy)', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const thrown of [Symbol('oops'), proxy, Object.create(null) as object]) {
      const router = new EventRouter();
      const fail = (): never => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the hostile value under test
        throw thrown;
      };
      router.subscribe(UserSignedUp, fail);
      router.subscribe(UserSignedUp, async () => {
        await Promise.resolve();
        fail();
      });
      const published = new EventBus({ router }).publish(new UserSignedUp('tom'));
      await expect(published).rejects.toBeInstanceOf(AggregateError);
      await expect(published).rejects.toThrow(/^2 subscribers of UserSignedUp failed \(first: .+\); see \.errors for each failure\.$/);
      await published.catch((error: unknown) => {
        const { errors } = error as AggregateError;
        expect(errors).toHaveLength(2);
        expect(errors.every((each) => each === thrown)).toBe(true);
      });
    }
  });

  it('rejects with an AggregateError when only sync subscribers fail', async () => {
    const router = new EventRouter();
    const error = new Error('only');
    router.subscribe(UserSignedUp, () => {
      throw error;
    });
    const outcome = await new EventBus({ router }).publish(new UserSignedUp('tom')).catch((failure: unknown) => failure);
    expect((outcome as AggregateError).errors).toEqual([error]);
  });

  it('builds class subscribers through handlerFactory on each publish', async () => {
    const router = new EventRouter();
    class Counter {
      constructor(readonly sink: string[]) {}
      handle(event: UserSignedUp): void {
        this.sink.push(event.username);
      }
    }
    const sink: string[] = [];
    router.subscribe(UserSignedUp, Counter);
    const handlerFactory = vi.fn((HandlerClass: new (...args: unknown[]) => object) => new HandlerClass(sink) as never);
    const bus = new EventBus({ router, handlerFactory });
    await bus.publish(new UserSignedUp('a'));
    await bus.publish(new UserSignedUp('b'));
    expect(sink).toEqual(['a', 'b']);
    expect(handlerFactory).toHaveBeenCalledTimes(2);
  });

  it('runs middleware around the whole publish', async () => {
    const router = new EventRouter();
    const log: string[] = [];
    router.subscribe(UserSignedUp, () => log.push('subscriber'));
    const bus = new EventBus({
      router,
      middleware: [
        async (event, next) => {
          log.push('before');
          await next(event);
          log.push('after');
        },
      ],
    });
    await bus.publish(new UserSignedUp('tom'));
    expect(log).toEqual(['before', 'subscriber', 'after']);
  });

  it('turns a middleware that throws synchronously into a rejection', async () => {
    const bus = new EventBus({
      router: new EventRouter(),
      middleware: [
        () => {
          throw new Error('middleware');
        },
      ],
    });
    await expect(bus.publish(new UserSignedUp('tom'))).rejects.toThrow('middleware');
  });

  it.each([null, undefined, 42, 'text'])('rejects publish(%s) with a TypeError saying what it expects', async (input) => {
    await expect(new EventBus({ router: new EventRouter() }).publish(input as never)).rejects.toThrow(/publish expects an event: an instance of a class/);
  });

  it.each([
    ['a symbol', Symbol('signed-up'), /got the symbol Symbol\(signed-up\)/],
    ['a plain object', {}, /got a plain object/],
    ['a null-prototype object', Object.create(null) as object, /got a plain object/],
  ])('rejects publish of %s as dispatch refuses it, with a TypeError (never a silent resolve)', async (_label, input, detail) => {
    for (const bus of [new EventBus({ router: new EventRouter() }), new EventBus({ router: new EventRouter(), middleware: [(event, next) => next(event)] })]) {
      let published: Promise<void> | undefined;
      expect(() => (published = bus.publish(input as never))).not.toThrow();
      await expect(published).rejects.toThrow(TypeError);
      await expect(bus.publish(input as never)).rejects.toThrow(/publish expects an event: an instance of a class/);
      await expect(bus.publish(input as never)).rejects.toThrow(detail);
    }
  });

  it('requires a router', () => {
    expect(() => new EventBus({} as never)).toThrow(/option "router" must be an instance of EventRouter; got undefined/);
  });
});

describe('EventRouter', () => {
  it('subscribes any number of handlers and unsubscribes one', () => {
    const router = new EventRouter();
    const first = (): void => undefined;
    const second = (): void => undefined;
    router.subscribe(UserSignedUp, first);
    const unsubscribe = router.subscribe(UserSignedUp, second);
    expect(router.findFor(new UserSignedUp('a'))).toEqual([first, second]);
    unsubscribe();
    expect(router.findFor(new UserSignedUp('a'))).toEqual([first]);
  });

  it('tells two subscriptions of the same function apart when one is removed', async () => {
    const router = new EventRouter();
    const calls: string[] = [];
    const twice = (): void => void calls.push('twice');
    const once = (): void => void calls.push('once');
    const unsubscribeFirst = router.subscribe(UserSignedUp, twice);
    router.subscribe(UserSignedUp, once);
    router.subscribe(UserSignedUp, twice);
    unsubscribeFirst();
    unsubscribeFirst();
    await new EventBus({ router }).publish(new UserSignedUp('a'));
    expect(calls).toEqual(['once', 'twice']);
    expect(router.findFor(new UserSignedUp('a'))).toEqual([once, twice]);
  });

  it('does not affect a publish in progress when subscribing during it', async () => {
    const router = new EventRouter();
    const late = vi.fn();
    router.subscribe(UserSignedUp, () => {
      router.subscribe(UserSignedUp, late);
    });
    await new EventBus({ router }).publish(new UserSignedUp('a'));
    expect(late).not.toHaveBeenCalled();
  });

  it('rejects a non-class event key and a non-handler', () => {
    const router = new EventRouter();
    expect(() => router.subscribe('x' as never, () => undefined)).toThrow(TypeError);
    expect(() => router.subscribe(UserSignedUp, 42 as never)).toThrow(TypeError);
  });

  it('names a Symbol given as the event class or as the subscriber in its own words', () => {
    const router = new EventRouter();
    expect(() => router.subscribe(Symbol('UserSignedUp') as never, () => undefined)).toThrow(
      /subscribe expects an event class .*; got the symbol Symbol\(UserSignedUp\)/,
    );
    expect(() => router.subscribe(UserSignedUp, Symbol('subscriber') as never)).toThrow(
      /The handler for UserSignedUp must be .*; got the symbol Symbol\(subscriber\)/,
    );
    expect(router.findFor(new UserSignedUp('tom'))).toEqual([]);
  });
});
