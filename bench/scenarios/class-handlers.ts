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

/** A class handler with a field, standing in for the dependencies a real one is built with. */
class IncrementHandler {
  readonly step = 1;

  handle(command: Increment): number {
    return command.value + this.step;
  }
}

class NestIncrementHandler {
  readonly step = 1;

  async execute(command: Increment): Promise<number> {
    return command.value + this.step;
  }
}

class MediatrIncrementHandler {
  readonly step = 1;

  async handle(command: Increment): Promise<number> {
    return command.value + this.step;
  }
}

/** Scenario 6: class handlers built by the handler factory on each dispatch, against a function handler. */
export const classHandlers: Scenario = {
  id: 'class',
  number: 6,
  title: 'Class handler built by the factory on each dispatch, against a function handler',
  setup: async () => {
    const functionRouter = new MessageRouter();
    functionRouter.attach(Increment, increment);
    const functionBus = new CommandBus({ router: functionRouter });
    const classRouter = new MessageRouter();
    classRouter.attach(Increment, IncrementHandler);
    const classBus = new CommandBus({ router: classRouter });
    const shared = new IncrementHandler();
    const sharedBus = new CommandBus({ router: classRouter, handlerFactory: () => shared });
    const map = new Map<unknown, new () => IncrementHandler>([[Increment, IncrementHandler]]);
    const nest = await startNest([{ command: Increment, handler: NestIncrementHandler, requestScoped: true }]);
    const mediator = startMediator({ resolver: 'per-call', requests: [[Increment, MediatrIncrementHandler]] });
    const command = new Increment(41);
    return {
      comparisons: [
        {
          title: 'Class handler built per dispatch vs function handler (sync)',
          verify: expectResult(42),
          subjects: [
            { name: 'troopy CommandBus.dispatch, function handler', role: 'baseline', run: () => functionBus.dispatch(command) },
            {
              name: 'troopy CommandBus.dispatch, class handler, default factory (new per dispatch)',
              role: 'troopy',
              run: () => classBus.dispatch(command),
            },
            {
              name: 'troopy CommandBus.dispatch, class handler, factory returning one shared instance',
              role: 'troopy',
              run: () => sharedBus.dispatch(command),
            },
            {
              name: 'hand-written: new (map.get(command.constructor))().handle(command)',
              role: 'reference',
              run: () => new (map.get(command.constructor)!)().handle(command),
            },
            {
              name: '@nestjs/cqrs: await CommandBus.execute, request-scoped handler',
              role: 'peer',
              run: () => nest.commands.execute(new Increment(41)),
              note: 'Nest builds a handler per command only in request scope (always async). It ties the scope to the command object, so this row also creates the command on each dispatch.',
            },
            {
              name: 'mediatr-ts: await Mediator.send, default resolver (new per send)',
              role: 'peer',
              run: () => mediator.send(command as never),
              note: 'always a promise, awaited.',
            },
          ],
        },
      ],
      close: nest.close,
    };
  },
};
