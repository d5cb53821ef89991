/**
 * Commands that carry their result type.
 *
 * Extending `Command<R>` declares what a command's handler returns; `bus.dispatch` is then
 * typed `R` with no cast. `GetUser extends Command<Promise<User>>` has an async handler, so
 * `await bus.dispatch(new GetUser(...))` is a `User`; `CountUsers extends Command<number>` has
 * a synchronous one, so its dispatch is a plain `number`, not a promise. A handler whose result
 * does not fit the declared type is rejected at compile time, by `router.attach` and by the
 * attach decorator alike. `Command` adds nothing at run time.
 *
 * Run alone: npx tsx examples/typed-results.ts
 */
import { Command, CommandBus, MessageRouter, createAttachDecorator } from 'troopy';
import { defineExample } from './support.js';

interface User {
  id: string;
  name: string;
}

const users = new Map<string, User>([
  ['42', { id: '42', name: 'Tom' }],
  ['7', { id: '7', name: 'Ann' }],
]);

const router = new MessageRouter();
const handledBy = createAttachDecorator(router);

/** An async class handler, standing in for a database query. */
class GetUserHandler {
  async handle(query: GetUser): Promise<User> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const user = users.get(query.id);
    if (user === undefined) throw new Error(`no user with id ${query.id}`);
    return user;
  }
}

@handledBy(GetUserHandler)
class GetUser extends Command<Promise<User>> {
  constructor(readonly id: string) {
    super();
  }
}

class CountUsers extends Command<number> {}
router.attach(CountUsers, () => users.size);
// Would not compile: the handler returns a string where CountUsers declares a number.
// router.attach(CountUsers, () => 'two');

export async function run(): Promise<void> {
  const bus = new CommandBus({ router });

  const pending: Promise<User> = bus.dispatch(new GetUser('42'));
  const user: User = await pending;
  console.log(`GetUser('42') resolved to ${user.name} (id ${user.id})`);

  const count: number = bus.dispatch(new CountUsers());
  console.log(`CountUsers() returned ${count} synchronously (a ${typeof count}, not a promise)`);
}

export const example = defineExample(import.meta.url, 'Command<R>: typed results for async and sync handlers', run);
