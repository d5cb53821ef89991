import { expectTypeOf } from 'vitest';
import { Command, CommandBus, MessageBus, MessageRouter, type DispatchContext, type Middleware, type Next } from 'troopy';

interface User {
  id: string;
  name: string;
}

class GetUser extends Command<Promise<User>> {
  constructor(readonly id: string) {
    super();
  }
}
class CountUsers extends Command<number> {}
class PlainCommand {
  constructor(readonly text: string) {}
}

const router = new MessageRouter();
router.attach(GetUser, async (query) => ({ id: query.id, name: 'Tom' }));
router.attach(CountUsers, () => 3);
router.attach(PlainCommand, (command) => command.text.length);

const bus = new CommandBus({ router });

// An async command's dispatch is its handler's promise; awaiting it gives the declared result.
expectTypeOf(bus.dispatch(new GetUser('1'))).toEqualTypeOf<Promise<User>>();
expectTypeOf(await bus.dispatch(new GetUser('1'))).toEqualTypeOf<User>();
// A sync command's result comes back synchronously, with no promise in its type.
expectTypeOf(bus.dispatch(new CountUsers())).toEqualTypeOf<number>();
// A class that does not extend Command gives unknown, never any.
expectTypeOf(bus.dispatch(new PlainCommand('x'))).toEqualTypeOf<unknown>();
expectTypeOf(bus.dispatch(new PlainCommand('x'))).not.toBeAny();

// Middleware may await, so a bus with middleware types a sync result as value-or-promise.
const passThrough: Middleware = (message, next) => next(message);
const withMiddleware = new CommandBus({ router, middleware: [passThrough] });
expectTypeOf(withMiddleware.dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();
expectTypeOf(await withMiddleware.dispatch(new CountUsers())).toEqualTypeOf<number>();
expectTypeOf(await withMiddleware.dispatch(new GetUser('1'))).toEqualTypeOf<User>();
const layers: Middleware[] = [];
const withArray = new CommandBus({ middleware: layers });
expectTypeOf(withArray.dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();
// An explicitly empty middleware list keeps results synchronous.
expectTypeOf(new CommandBus({ middleware: [] }).dispatch(new CountUsers())).toEqualTypeOf<number>();

// dispatch accepts only objects.
// @ts-expect-error a number is not a command
bus.dispatch(42);
// @ts-expect-error null is not a command
bus.dispatch(null);

// Inline middleware are contextually typed, and make the bus value-or-promise.
const inline = new CommandBus({
  router,
  middleware: [
    (message, next, context) => {
      expectTypeOf(message).toEqualTypeOf<object>();
      expectTypeOf(next).toEqualTypeOf<Next>();
      expectTypeOf(context).toEqualTypeOf<DispatchContext | undefined>();
      return next(message);
    },
  ],
});
expectTypeOf(inline.dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();

// A parameter typed plain CommandBus accepts buses with and without middleware, honestly typed.
function useBus(anyBus: CommandBus): void {
  expectTypeOf(anyBus.dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();
}
useBus(bus);
useBus(inline);

// Subclassing names the mode.
class AppBus extends CommandBus<boolean> {}
expectTypeOf(new AppBus({ router }).dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();
expectTypeOf(new MessageBus({ router }).dispatch(new CountUsers())).toEqualTypeOf<number>();

// Naming Sync explicitly cannot make a bus with middleware look synchronous.
expectTypeOf(new CommandBus<true>({ router, middleware: [passThrough] }).dispatch(new CountUsers())).toEqualTypeOf<number | Promise<number>>();
