import { Command, CommandBus, MessageRouter } from 'troopy';
import { expectResult, type Scenario } from '../harness.js';
import { startMediator } from '../peers/mediatr.js';
import { startNest } from '../peers/nest.js';

class Increment extends Command<number> {
  constructor(readonly value: number) {
    super();
  }
}

const increment = (command: Increment): number => command.value + 1;

class NestIncrementHandler {
  execute(command: Increment): number {
    return command.value + 1;
  }
}

class MediatrIncrementHandler {
  handle(command: Increment): Promise<number> {
    return Promise.resolve(command.value + 1);
  }
}

/** Scenario 1: a synchronous handler, its result read, no middleware. */
export const syncHandler: Scenario = {
  id: 'sync',
  number: 1,
  title: 'Sync handler, result read, no middleware',
  setup: async () => {
    const map = new Map<unknown, (command: Increment) => number>([[Increment, increment]]);
    const router = new MessageRouter();
    router.attach(Increment, increment);
    const bus = new CommandBus({ router });
    const nest = await startNest([{ command: Increment, handler: NestIncrementHandler }]);
    const mediator = startMediator({ resolver: 'singleton', requests: [[Increment, MediatrIncrementHandler]] });
    const command = new Increment(41);
    return {
      comparisons: [
        {
          title: 'Sync handler, result read',
          target: 1.5,
          verify: expectResult(42),
          subjects: [
            { name: 'hand-written router: map.get(command.constructor)(command)', role: 'baseline', run: () => map.get(command.constructor)!(command) },
            { name: 'troopy CommandBus.dispatch', role: 'troopy', run: () => bus.dispatch(command) },
            {
              name: '@nestjs/cqrs CommandBus.execute',
              role: 'peer',
              run: () => nest.commands.execute(command),
              note: 'Nest handler with a synchronous execute(); Nest returns its value as it is.',
            },
            {
              name: 'mediatr-ts Mediator.send (awaited)',
              role: 'peer',
              run: () => mediator.send(command as never),
              note: 'mediatr-ts always returns a promise, so its row is awaited; handler instance reused (singleton resolver).',
            },
          ],
        },
        {
          title: 'Four sync dispatches in one function (all results read)',
          verify: expectResult(4 * 42),
          subjects: [
            {
              name: 'hand-written router, 4 times',
              role: 'baseline',
              run: () =>
                map.get(command.constructor)!(command) +
                map.get(command.constructor)!(command) +
                map.get(command.constructor)!(command) +
                map.get(command.constructor)!(command),
            },
            {
              name: 'troopy CommandBus.dispatch, 4 times',
              role: 'troopy',
              run: () => bus.dispatch(command) + bus.dispatch(command) + bus.dispatch(command) + bus.dispatch(command),
              note: 'V8 inlines calls into a function only until it has taken in 920 bytes of bytecode, so the size of the dispatch path decides how many of the four are inlined.',
            },
          ],
        },
      ],
      close: nest.close,
    };
  },
};
