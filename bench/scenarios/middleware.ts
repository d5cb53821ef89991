import { Command, CommandBus, MessageRouter, type Middleware } from 'troopy';
import { expectResult, type Scenario } from '../harness.js';
import { startMediator } from '../peers/mediatr.js';

class Increment extends Command<Promise<number>> {
  constructor(readonly value: number) {
    super();
  }
}

const increment = async (command: Increment): Promise<number> => command.value + 1;

/** A troopy middleware that passes the message on and returns what comes back. */
const passThrough = (): Middleware => (message, next) => next(message);

/** The same layer hand-composed: a closure around the next step. */
const closeOver =
  (next: (command: Increment) => Promise<number>) =>
  (command: Increment): Promise<number> =>
    next(command);

class MediatrIncrementHandler {
  async handle(command: Increment): Promise<number> {
    return command.value + 1;
  }
}

// mediatr-ts resolves behaviours by class, so three pass-through layers are three classes.
class FirstBehavior {
  handle(_request: unknown, next: () => Promise<unknown>): Promise<unknown> {
    return next();
  }
}
class SecondBehavior extends FirstBehavior {}
class ThirdBehavior extends FirstBehavior {}

/** Scenario 3: an async handler behind three pass-through middlewares, awaited. */
export const middleware: Scenario = {
  id: 'middleware',
  number: 3,
  title: 'Async handler behind 3 pass-through middlewares, awaited',
  setup: async () => {
    const composed = closeOver(closeOver(closeOver(increment)));
    const router = new MessageRouter();
    router.attach(Increment, increment);
    const bus = new CommandBus({ router, middleware: [passThrough(), passThrough(), passThrough()] });
    const mediator = startMediator({
      resolver: 'singleton',
      requests: [[Increment, MediatrIncrementHandler]],
      behaviors: [FirstBehavior, SecondBehavior, ThirdBehavior],
    });
    const command = new Increment(41);
    return {
      comparisons: [
        {
          title: 'Async handler behind 3 pass-through middlewares, awaited',
          target: 1.2,
          verify: expectResult(42),
          subjects: [
            { name: 'hand-composed: await outer(middle(inner(handler)))(command)', role: 'baseline', run: () => composed(command) },
            { name: 'troopy: await CommandBus.dispatch, 3 middlewares', role: 'troopy', run: () => bus.dispatch(command) },
            {
              name: 'mediatr-ts: await Mediator.send, 3 pipeline behaviours',
              role: 'peer',
              run: () => mediator.send(command as never),
              note: 'behaviours and handler reused (singleton resolver). @nestjs/cqrs has no middleware, so it has no row here.',
            },
          ],
        },
      ],
    };
  },
};
