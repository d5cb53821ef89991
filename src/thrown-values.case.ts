import fc from 'fast-check';

/**
 * A value for a handler to throw, made afresh by `make()`: fast-check itself inspects the
 * values it generates (and would trip on a revoked proxy), so it only ever sees the recipe,
 * which prints as `label` in a counterexample.
 */
export interface ThrownRecipe {
  readonly label: string;
  make(): unknown;
}

function recipe(label: string, make: () => unknown): ThrownRecipe {
  return { label, make, [fc.toStringMethod]: () => label } as ThrownRecipe;
}

/**
 * Recipes of values a handler might throw, for the property-based tests of the describer and
 * the worker: anything fast-check makes (primitives, symbols, bigints, boxed values,
 * null-prototype objects, maps, sets, typed arrays, dates, sparse arrays), hand-made hostile
 * values (revoked proxies, proxies whose traps throw, huge strings), and Errors with odd-typed
 * or throwing `name`, `message`, `stack` and `cause`, and cause cycles.
 */
export const thrownValue: fc.Arbitrary<ThrownRecipe> = fc.oneof(
  {
    arbitrary: fc
      .anything({
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withTypedArray: true,
        withSparseArray: true,
        withDate: true,
        maxDepth: 3,
      })
      .map((value) => recipe(fc.stringify(value), () => value)),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(...hostileRecipes()), weight: 2 },
  { arbitrary: oddError(), weight: 3 },
);

/** Recipes of values that throw when looked at, or are otherwise unkind to a describer. */
function hostileRecipes(): ThrownRecipe[] {
  const throws = (): never => {
    throw new Error('trap');
  };
  const allTraps: ProxyHandler<object> = { get: throws, getPrototypeOf: throws, has: throws, ownKeys: throws, getOwnPropertyDescriptor: throws, apply: throws };
  const revoked = (target: object): object => {
    const { proxy, revoke } = Proxy.revocable(target, {});
    revoke();
    return proxy;
  };
  return [
    recipe('Object.create(null)', () => Object.create(null) as unknown),
    recipe('a revoked proxy', () => revoked({})),
    recipe('a revoked proxy of an Error', () => revoked(new Error('revoked'))),
    recipe('a revoked proxy of a function', () => revoked(() => 1)),
    recipe('a proxy whose traps throw', () => new Proxy({}, allTraps)),
    recipe('a proxy of an Error whose traps throw', () => new Proxy(new Error('trapped'), allTraps)),
    recipe('a proxy of a function whose traps throw', () => new Proxy(() => 1, allTraps)),
    recipe('a transparent proxy of a TypeError', () => new Proxy(new TypeError('transparent'), {})),
    recipe('Symbol("thrown")', () => Symbol('thrown')),
    recipe('Symbol()', () => Symbol()),
    recipe('10n ** 400n', () => 10n ** 400n),
    recipe('a 1,000,000-character string', () => 'x'.repeat(1_000_000)),
    recipe('a string with lone surrogates', () => '\ud800 lone surrogate \udfff'),
    recipe('an object whose toString, valueOf and toPrimitive throw', () => ({ toString: throws, valueOf: throws, [Symbol.toPrimitive]: throws })),
    recipe('a null-prototype object with a name and message', () =>
      Object.assign(Object.create(null) as object, { message: 'looks like an error', name: 'NotAnError' }),
    ),
    recipe('an instance whose constructor getter throws', () => Object.defineProperty(new (class Weird {})(), 'constructor', { get: throws })),
  ];
}

/** An Error whose `name`, `message` and `cause` are any values, some of them throwing getters, maybe a cause cycle. */
function oddError(): fc.Arbitrary<ThrownRecipe> {
  const part = fc.oneof(
    fc.anything({ withBigInt: true, withNullPrototype: true, maxDepth: 2 }),
    fc.string({ maxLength: 2_000 }),
    fc.constantFrom(Symbol('part'), 'x'.repeat(100_000)),
  );
  return fc
    .record({
      name: part,
      message: part,
      cause: part,
      cycle: fc.boolean(),
      throwing: fc.subarray(['stack', 'cause', 'name', 'message'] as const),
    })
    .map((parts) => recipe(`an Error with ${fc.stringify(parts)}`, () => oddErrorOf(parts)));
}

function oddErrorOf(parts: {
  name: unknown;
  message: unknown;
  cause: unknown;
  cycle: boolean;
  throwing: readonly ('stack' | 'cause' | 'name' | 'message')[];
}): Error {
  const error = new Error('odd');
  // The stack first: defining it formats the stack, which reads the name and message.
  for (const property of parts.throwing) {
    Object.defineProperty(error, property, {
      get(): never {
        throw new Error(`${property} getter`);
      },
      configurable: true,
    });
  }
  for (const [property, value] of [
    ['name', parts.name],
    ['message', parts.message],
    ['cause', parts.cycle ? error : parts.cause],
  ] as const) {
    if (!parts.throwing.includes(property)) Object.defineProperty(error, property, { value, configurable: true, writable: true });
  }
  return error;
}
