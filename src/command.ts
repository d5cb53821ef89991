declare const resultType: unique symbol;

/**
 * Optional base class for commands and queries whose only job is to carry the result type `R`.
 *
 * It has no runtime behaviour and adds no field to instances: the result type lives on a
 * `declare`d phantom property keyed by an unexported symbol, so `class GetUser extends Command<User>` costs nothing at run time.
 *
 * The type `R` is exactly what the handler returns: a handler of `Command<User>` returns a
 * `User` synchronously, a handler of `Command<Promise<User>>` returns a `Promise<User>`.
 *
 * @example
 * class GetUser extends Command<Promise<User>> {
 *   constructor(readonly id: string) { super(); }
 * }
 * const user = await bus.dispatch(new GetUser('42')); // User
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- R exists only to be read by ResultOf
export class Command<R = unknown> {
  // Public, not private: TypeScript erases the type of a private member in the emitted
  // declarations, and every Command<R> would then look alike to an installed package's users.
  // The key is a symbol nobody can name, so the member is still out of reach.
  declare readonly [resultType]: R;
}

/**
 * The result type a command declares through {@link Command}; `unknown` for any other class.
 */
export type ResultOf<M> = M extends Command<infer R> ? R : unknown;
