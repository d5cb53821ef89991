import { Command, CommandBus, MessageRouter } from 'troopy';
import { expectResult, type Scenario } from '../harness.js';
import { startMediator } from '../peers/mediatr.js';
import { startNest } from '../peers/nest.js';

class Increment extends Command<Promise<number>> {
  constructor(readonly value: number) {
    super();
  }
}

const increment = async (command: Increment): Promise<number> => command.value + 1;

class NestIncrementHandler {
  async execute(command: Increment): Promise<number> {
    return command.value + 1;
  }
}

class MediatrIncrementHandler {
  async handle(command: Increment): Promise<number> {
    return command.value + 1;
  }
}

/** Scenario 2: an async handler, awaited. */
export const asyncHandler: Scenario = {
  id: 'async',
  number: 2,
  title: 'Async handler, awaited',
  setup: async () => {
    const router = new MessageRouter();
    router.attach(Increment, increment);
    const bus = new CommandBus({ router });
    const nest = await startNest([{ command: Increment, handler: NestIncrementHandler }]);
    const mediator = startMediator({ resolver: 'singleton', requests: [[Increment, MediatrIncrementHandler]] });
    const command = new Increment(41);
    return {
      comparisons: [
        {
          title: 'Async handler, awaited',
          target: 1.1,
          verify: expectResult(42),
          subjects: [
            { name: 'direct call: await handler(command)', role: 'baseline', run: () => increment(command) },
            { name: 'troopy: await CommandBus.dispatch', role: 'troopy', run: () => bus.dispatch(command) },
            { name: '@nestjs/cqrs: await CommandBus.execute', role: 'peer', run: () => nest.commands.execute(command) },
            {
              name: 'mediatr-ts: await Mediator.send',
              role: 'peer',
              run: () => mediator.send(command as never),
              note: 'handler instance reused (singleton resolver), its fastest setting.',
            },
          ],
        },
      ],
      close: nest.close,
    };
  },
};
