import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { readAttempt, readErrorHistory } from '../envelope/error-history.js';
import type { DeadLetter } from '../transport/transport.js';
import { catchingUnhandled, createKit, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
afterEach(() => kit.stopAll());

/** What became of one message whose handler always throws `thrown`. */
interface Outcome {
  readonly attempts: number;
  readonly retried: readonly WorkerEvents['retried'][];
  readonly failed: readonly WorkerEvents['failed'][];
  readonly errors: readonly WorkerEvents['error'][];
  readonly letter: DeadLetter;
  readonly unhandled: readonly unknown[];
}

/** Runs one message through a worker whose handler throws `make()` every time, until it is dead-lettered. */
async function throwEveryTime(make: () => unknown, maxAttempts = 3): Promise<Outcome> {
  let attempts = 0;
  kit = createKit({
    handler: () => {
      attempts++;
      throw make();
    },
  });
  const { result, unhandled } = await catchingUnhandled(async () => {
    await kit.transport.send([encodeMessage(new TestCommand('hostile'), { registry: kit.registry })]);
    const worker = kit.worker({ retry: { maxAttempts, baseMs: 1, capMs: 1 } });
    const retried: WorkerEvents['retried'][] = [];
    const failed: WorkerEvents['failed'][] = [];
    const errors: WorkerEvents['error'][] = [];
    worker.on('retried', (event) => retried.push(event));
    worker.on('failed', (event) => failed.push(event));
    worker.on('error', (event) => errors.push(event));
    worker.start();
    let letters: DeadLetter[] = [];
    await waitFor(() => worker.health().processed >= maxAttempts || errors.length > 0, `${maxAttempts} attempts`);
    await waitFor(() => {
      void kit.transport.deadLetters.list().then((listed) => (letters = listed));
      return letters.length > 0 || errors.length > 0;
    }, 'the dead letter');
    // A turn more, so that an unhandled rejection of the last outcome would be seen.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { attempts, retried, failed, errors, letter: letters[0] as DeadLetter };
  });
  return { ...result, unhandled };
}

/** The checks every hostile value must pass: retried until maxAttempts, then dead-lettered with a readable, readable-again history. */
function expectRetriedThenDeadLettered(outcome: Outcome, maxAttempts = 3): void {
  expect(outcome.errors.map(({ during, error }) => `${during}: ${(error as Error).message}`)).toEqual([]);
  expect(outcome.unhandled).toEqual([]);
  expect(outcome.attempts).toBe(maxAttempts);
  expect(outcome.retried.map(({ attempt }) => attempt)).toEqual(Array.from({ length: maxAttempts - 1 }, (_, index) => index + 2));
  expect(outcome.failed).toHaveLength(maxAttempts);
  expect(outcome.letter.reason.code).toBe('max-attempts');
  expect(outcome.letter.reason.message).toMatch(new RegExp(`^All ${maxAttempts} attempts failed; the last with \\S`));
  const history = readErrorHistory(outcome.letter.headers);
  expect(history).toHaveLength(maxAttempts);
  for (const entry of history) {
    expect(entry.name).not.toBe('');
    expect(`${entry.name}${entry.message}`.length).toBeGreaterThan(0);
  }
  expect(readAttempt(outcome.letter.headers)).toBe(maxAttempts);
}

function revokedProxy(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A proxy whose every trap throws. */
function throwingProxy(target: object): object {
  const trap = (): never => {
    throw new Error('trap');
  };
  return new Proxy(target, {
    get: trap,
    getPrototypeOf: trap,
    has: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
    set: trap,
    defineProperty: trap,
    apply: trap,
  });
}

/** An Error whose getters of these properties throw. */
function errorWithThrowingGetter(...properties: readonly string[]): Error {
  const error = new Error('hidden');
  for (const property of properties) {
    Object.defineProperty(error, property, {
      get(): never {
        throw new Error(`${property} getter`);
      },
    });
  }
  return error;
}

describe('Worker, whatever a handler throws', () => {
  // Issue 11, item 2: each of these ended the worker process (exit code 1).
  it.each([
    ['a null-prototype object', () => Object.create(null) as unknown, /non-error/],
    ['a revoked proxy', () => revokedProxy({}), /non-error/],
    ['a revoked proxy of an Error', () => revokedProxy(new Error('gone')), /non-error/],
    ['a revoked proxy of a function', () => revokedProxy(() => 1), /non-error/],
    ['a proxy whose traps throw', () => throwingProxy({}), /non-error/],
    ['a proxy of an Error whose traps throw', () => throwingProxy(new Error('x')), /non-error/],
  ])('retries %s until maxAttempts, then dead-letters it with a readable description', async (_label, make, named) => {
    const outcome = await throwEveryTime(make);
    expectRetriedThenDeadLettered(outcome);
    expect(readErrorHistory(outcome.letter.headers)[0]?.name).toMatch(named);
  });

  // Issue 11, item 3: the retry itself failed ("Cannot convert a Symbol value to a string") and the message waited out its lease.
  it('retries a thrown symbol, and names it in the history', async () => {
    const outcome = await throwEveryTime(() => Symbol('out of stock'));
    expectRetriedThenDeadLettered(outcome);
    expect(readErrorHistory(outcome.letter.headers)[0]).toMatchObject({ name: 'non-error', message: 'the symbol Symbol(out of stock)' });
    expect(outcome.letter.reason.message).toBe('All 3 attempts failed; the last with the symbol Symbol(out of stock)');
  });

  // The stack first: defining it formats the stack, which reads the name and message.
  it.each([['name'], ['message'], ['stack'], ['cause'], ['stack', 'cause', 'name', 'message']])(
    'retries an Error whose %s getter throws',
    async (...properties) => {
      const outcome = await throwEveryTime(() => errorWithThrowingGetter(...properties));
      expectRetriedThenDeadLettered(outcome);
    },
  );

  it('keeps what can be read of an Error whose message getter throws', async () => {
    const outcome = await throwEveryTime(() => errorWithThrowingGetter('message'));
    expect(readErrorHistory(outcome.letter.headers)[0]).toMatchObject({ name: 'Error', message: 'an unreadable message' });
  });

  // Issue 11, item 4: the worker wrote an error-history header its own reader refused, so the
  // next delivery was dead-lettered `undecodable` after one attempt.
  it('retries an Error with a numeric name and an object message, writing a history its reader accepts', async () => {
    const outcome = await throwEveryTime(() => Object.assign(new Error('x'), { name: 42, message: { code: 'E42' } }));
    expectRetriedThenDeadLettered(outcome);
    expect(readErrorHistory(outcome.letter.headers)[0]).toMatchObject({ name: 'the number 42', message: 'a plain object' });
  });

  it('still records an ordinary error by its name and message', async () => {
    const outcome = await throwEveryTime(() => new RangeError('card declined'), 2);
    expectRetriedThenDeadLettered(outcome, 2);
    expect(readErrorHistory(outcome.letter.headers).map(({ name, message }) => `${name}: ${message}`)).toEqual([
      'RangeError: card declined',
      'RangeError: card declined',
    ]);
    expect(outcome.failed[0]?.error).toBeInstanceOf(RangeError);
  });
});
