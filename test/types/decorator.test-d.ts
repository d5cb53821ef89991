import { expectTypeOf } from 'vitest';
import { Command, CommandBus, MessageRouter, createAttachDecorator } from 'troopy';

const router = new MessageRouter();
const command = createAttachDecorator(router);

class HelloHandler {
  handle(message: SayHello): string {
    return `Hello ${message.username}`;
  }
}
function countLetters(message: { text: string }): number {
  return message.text.length;
}

@command(HelloHandler)
class SayHello extends Command<string> {
  constructor(readonly username: string) {
    super();
  }
}

@command(countLetters)
class CountLetters extends Command<number> {
  constructor(readonly text: string) {
    super();
  }
}

@command({ handle: (message: Untyped) => message.value * 2 })
class Untyped {
  constructor(readonly value: number) {}
}

const bus = new CommandBus({ router });
expectTypeOf(bus.dispatch(new SayHello('Tom'))).toEqualTypeOf<string>();
expectTypeOf(bus.dispatch(new CountLetters('abc'))).toEqualTypeOf<number>();
expectTypeOf(bus.dispatch(new Untyped(2))).toEqualTypeOf<unknown>();

// The decorator returns the class unchanged, also as a plain call.
expectTypeOf(
  command((message: Plain) => message.id)(
    class Plain {
      id = 1;
    },
  ),
).toExtend<new () => { id: number }>();
class Plain {
  id = 1;
}

// @ts-expect-error the handler's parameter does not accept this class
@command(HelloHandler)
class NotAHello {
  constructor(readonly other: number) {}
}

function greet(message: { username: string }): string {
  return message.username;
}
@command(greet)
class RightResult extends Command<string> {
  constructor(readonly username: string) {
    super();
  }
}
expectTypeOf(bus.dispatch(new RightResult('Tom'))).toEqualTypeOf<string>();

// @ts-expect-error the handler returns a string where the command declares a number
@command(greet)
class WrongResult extends Command<number> {
  constructor(readonly username: string) {
    super();
  }
}

// @ts-expect-error an async handler returns a Promise where the command declares a number
@command(async (message: AsyncWrong) => message.n)
class AsyncWrong extends Command<number> {
  constructor(readonly n: number) {
    super();
  }
}

export { NotAHello, WrongResult, AsyncWrong };
