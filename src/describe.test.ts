import { describe as group, expect, it } from 'vitest';
import { describe, describeThrown } from './describe.js';

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

const throwingGet = (): never => {
  throw new Error('get');
};
const throwingTraps: ProxyHandler<object> = {
  get: throwingGet,
  getPrototypeOf: () => {
    throw new Error('getPrototypeOf');
  },
};

group('describe', () => {
  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [42, 'the number 42'],
    [12n, 'the bigint 12'],
    [true, 'the boolean true'],
    [Symbol('x'), 'the symbol Symbol(x)'],
    [Symbol(), 'the symbol Symbol()'],
    ['x', 'the string "x"'],
    [{}, 'a plain object'],
    [Object.create(null), 'a plain object'],
    [new Map(), 'an instance of Map'],
    [class Order {}, 'the class Order'],
    [() => 1, 'the function (anonymous)'],
  ])('describes %s as %s', (value, expected) => {
    expect(describe(value)).toBe(expected);
  });
});

group('describeThrown', () => {
  it('gives an Error its name and message', () => {
    expect(describeThrown(new TypeError('bad card'))).toEqual({ name: 'TypeError', message: 'bad card' });
    expect(describeThrown(new Error())).toEqual({ name: 'Error', message: '' });
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['an empty string', '', 'the string ""'],
    ['a number', 42, 'the number 42'],
    ['a symbol', Symbol('s'), 'the symbol Symbol(s)'],
    ['a bigint', 10n ** 30n, `the bigint 1${'0'.repeat(30)}`],
    ['a null-prototype object', Object.create(null) as object, 'a plain object'],
    ['undefined', undefined, 'undefined'],
    ['a revoked proxy', revoked({}), 'a value that cannot be inspected'],
    ['a revoked proxy of a function', revoked(() => 1), 'a value that cannot be inspected'],
    ['a revoked proxy of an Error', revoked(new Error('x')), 'a value that cannot be inspected'],
    ['a proxy whose traps throw', new Proxy({}, throwingTraps), 'a value that cannot be inspected'],
  ])('calls %s a non-error and describes it', (_label, thrown, message) => {
    expect(describeThrown(thrown)).toEqual({ name: 'non-error', message });
  });

  it('describes a name or message that is not a string, and names a getter that throws', () => {
    expect(describeThrown(Object.assign(new Error('x'), { name: 42, message: { code: 1 } }))).toEqual({ name: 'the number 42', message: 'a plain object' });
    expect(describeThrown(Object.assign(new Error('x'), { name: '' }))).toEqual({ name: 'Error', message: 'x' });
    const hostile = new Error('x');
    for (const property of ['name', 'message']) {
      Object.defineProperty(hostile, property, {
        get(): never {
          throw new Error(property);
        },
      });
    }
    expect(describeThrown(hostile)).toEqual({ name: 'an unreadable name', message: 'an unreadable message' });
    expect(describeThrown(Object.assign(new Error('x'), { message: Symbol('m') }))).toEqual({ name: 'Error', message: 'the symbol Symbol(m)' });
  });

  it('reads an Error through a proxy whose traps answer, and calls it unreadable when its get trap throws', () => {
    expect(describeThrown(new Proxy(new RangeError('far'), {}))).toEqual({ name: 'RangeError', message: 'far' });
    const getThrows = new Proxy(new Error('x'), { get: throwingGet });
    expect(describeThrown(getThrows)).toEqual({ name: 'an unreadable name', message: 'an unreadable message' });
  });
});
