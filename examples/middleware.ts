/**
 * Middleware: code that runs around every dispatch.
 *
 * A middleware is `(message, next, context) => result`. It can run code before and after
 * `next(message)` (logging with timing), return a result without calling `next` at all (a
 * cache), or catch what the rest of the pipeline throws (error reporting). Whatever it returns
 * is what `dispatch` returns, so middleware that does not `await` keeps a synchronous handler
 * synchronous, and passes an asynchronous handler's promise through untouched. A single
 * `async` middleware, on the other hand, turns every result into a promise.
 *
 * Run alone: npx tsx examples/middleware.ts
 */
import { Command, CommandBus, MessageRouter, type Middleware } from 'troopy';
import { defineExample } from './support.js';

class GetExchangeRate extends Command<number> {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super();
  }
}

class Withdraw extends Command<number> {
  constructor(readonly amount: number) {
    super();
  }
}

class FetchStatement extends Command<Promise<string>> {}

class InsufficientFundsError extends Error {
  override name = 'InsufficientFundsError';
}

/** Logs each command on the way in and out, with how long it took, without awaiting. */
const logging: Middleware = (message, next) => {
  const name = message.constructor.name;
  const start = performance.now();
  const elapsed = (): string => `${(performance.now() - start).toFixed(2)} ms`;
  console.log(`  [log] -> ${name}`);
  const result = next(message);
  if (result instanceof Promise) return result.finally(() => console.log(`  [log] <- ${name} settled after ${elapsed()}`));
  console.log(`  [log] <- ${name} returned after ${elapsed()}`);
  return result;
};

/** Reports failures, sync throws and rejections alike, then lets the caller see the error. */
const errorReporting: Middleware = (message, next) => {
  const report = (error: unknown): never => {
    console.log(`  [errors] ${message.constructor.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  };
  try {
    const result = next(message);
    return result instanceof Promise ? result.catch(report) : result;
  } catch (error) {
    return report(error);
  }
};

/** Makes a middleware that answers repeated exchange-rate queries from memory, skipping the handler. */
function rateCaching(): Middleware {
  const rates = new Map<string, unknown>();
  return (message, next) => {
    if (!(message instanceof GetExchangeRate)) return next(message);
    const key = `${message.from}/${message.to}`;
    if (rates.has(key)) {
      console.log(`  [cache] hit for ${key}`);
      return rates.get(key);
    }
    const rate = next(message);
    rates.set(key, rate);
    return rate;
  };
}

/** An `async` middleware: correct, but every dispatch through it now returns a promise. */
const asyncAudit: Middleware = async (message, next) => {
  const result: unknown = await next(message);
  console.log(`  [audit] ${message.constructor.name} done`);
  return result;
};

/**
 * Narrows a dispatch result that this bus's middleware keeps synchronous. With middleware on a
 * bus, `dispatch` is typed `R | Promise<R>`, because the bus cannot know that none awaits.
 */
function expectSync<T>(result: T | Promise<T>): T {
  if (result instanceof Promise) throw new Error('expected a synchronous result, got a promise');
  return result;
}

export async function run(): Promise<void> {
  let balance = 100;
  let rateLookups = 0;
  const router = new MessageRouter();
  router.attach(GetExchangeRate, (query) => {
    rateLookups++;
    return query.from === 'EUR' && query.to === 'USD' ? 1.08 : 1;
  });
  router.attach(Withdraw, (message) => {
    if (message.amount > balance) throw new InsufficientFundsError(`cannot withdraw ${message.amount}, the balance is ${balance}`);
    balance -= message.amount;
    return balance;
  });
  router.attach(FetchStatement, async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return `statement: balance ${balance}`;
  });

  const bus = new CommandBus({ router, middleware: [logging, errorReporting, rateCaching()] });

  const rate = expectSync(bus.dispatch(new GetExchangeRate('EUR', 'USD')));
  console.log(`EUR/USD = ${rate}, returned synchronously`);
  const again = expectSync(bus.dispatch(new GetExchangeRate('EUR', 'USD')));
  console.log(`EUR/USD again = ${again}; the handler ran ${rateLookups} time(s) for 2 dispatches`);

  console.log(`balance after withdrawing 30: ${expectSync(bus.dispatch(new Withdraw(30)))}`);
  try {
    bus.dispatch(new Withdraw(500));
  } catch (error) {
    if (!(error instanceof InsufficientFundsError)) throw error;
    console.log(`caller caught the handler's own ${error.name}, unwrapped`);
  }

  console.log(await bus.dispatch(new FetchStatement()));

  const audited = new CommandBus({ router, middleware: [asyncAudit] });
  const audit = audited.dispatch(new Withdraw(10));
  console.log(`with an async middleware, Withdraw returns ${audit instanceof Promise ? 'a promise' : 'a value'}: ${await audit}`);
}

export const example = defineExample(import.meta.url, 'logging/timing, caching and error-reporting middleware', run);
