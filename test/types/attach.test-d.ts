import { Command, MessageRouter, EventRouter } from 'troopy';

class SayHello extends Command<string> {
  constructor(readonly username: string) {
    super();
  }
}
class SignUp {
  constructor(
    readonly username: string,
    readonly password: string,
  ) {}
}
class UserSignedUp {
  constructor(readonly username: string) {}
}

const router = new MessageRouter();

// Handlers whose parameter accepts the command and whose result fits compile.
router.attach(SayHello, (command) => `Hello ${command.username}`);
router.attach(SayHello, { handle: (command: SayHello) => command.username });
router.attach(
  SayHello,
  class {
    handle(command: SayHello): string {
      return command.username;
    }
  },
);
router.attach(SignUp, (command: { username: string }) => command.username.length);

// @ts-expect-error the handler's parameter does not accept SayHello
router.attach(SayHello, (command: SignUp) => command.password);
class SignUpHandler {
  handle(command: SignUp): string {
    return command.password;
  }
}
// @ts-expect-error the class handler's parameter does not accept SayHello
router.attach(SayHello, SignUpHandler);
// @ts-expect-error the object handler's parameter does not accept SayHello
router.attach(SayHello, { handle: (command: SignUp) => command.password });
// @ts-expect-error the handler returns a number where SayHello declares a string
router.attach(SayHello, (command) => command.username.length);
// @ts-expect-error an async handler returns a Promise where SayHello declares a string
router.attach(SayHello, async (command) => command.username);
class NumberHandler {
  handle(): number {
    return 1;
  }
}
// @ts-expect-error the class handler returns a number where SayHello declares a string
router.attach(SayHello, NumberHandler);
// @ts-expect-error a string is not a handler
router.attach(SayHello, 'handler');
// @ts-expect-error a plain object is not a message class
router.attach({}, () => 1);

const events = new EventRouter();
events.subscribe(UserSignedUp, (event) => console.log(event.username));
events.subscribe(UserSignedUp, {
  handle: async (event: UserSignedUp) => {
    console.log(event.username);
  },
});
// @ts-expect-error the subscriber's parameter does not accept UserSignedUp
events.subscribe(UserSignedUp, (event: SignUp) => event.password);
