import { Command, CommandBus, MessageRouter } from 'troopy';
import { expectResult, type Subject, type Scenario } from '../harness.js';
import { startMediator } from '../peers/mediatr.js';
import { startNest } from '../peers/nest.js';

const classCount = 1000;
/** Random commands dispatched in turn; a power of two so that `& mask` wraps the cursor. */
const sequenceLength = 4096;

/** A command class of the 1,000; `value` is its index, which its handler adds to. */
abstract class Numbered extends Command<number> {
  constructor(readonly value: number) {
    super();
  }
}
type NumberedClass = new (value: number) => Numbered;

function commandClass(index: number): NumberedClass {
  const numbered = class extends Numbered {};
  Object.defineProperty(numbered, 'name', { value: `Command${index}` });
  return numbered;
}

/** Mulberry32: a small seeded generator, so every run dispatches the same sequence. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const classes = Array.from({ length: classCount }, (_, index) => commandClass(index));
const handlers = classes.map(
  (_, index) =>
    (command: Numbered): number =>
      command.value + index,
);
// Handlers written with the function keyword, which have a prototype as classes do.
const declaredHandlers = classes.map(
  (_, index) =>
    // A function expression on purpose: unlike an arrow function, it has a prototype.
    function handler(command: Numbered): number {
      return command.value + index;
    },
);
const next = random(0x7007);
const sequence = Array.from({ length: sequenceLength }, () => {
  const index = Math.floor(next() * classCount);
  return new classes[index]!(index);
});
/** What one pass over the whole sequence returns in total when every command is routed right. */
const sequenceTotal = sequence.reduce((total, command) => total + 2 * command.value, 0);

/**
 * A subject's run cycles through the sequence; verifying runs it over the whole sequence once
 * (so wherever its cursor starts) and checks the total, which a wrong route would change.
 */
function cycling(name: string, role: Subject['role'], dispatch: (command: Numbered) => unknown, note?: string): Subject {
  let cursor = 0;
  const run = (): unknown => dispatch(sequence[cursor++ & (sequenceLength - 1)]!);
  return note === undefined ? { name, role, run } : { name, role, run, note };
}

async function verifyRouting(subject: Subject): Promise<void> {
  let total = 0;
  for (let index = 0; index < sequenceLength; index++) total += (await subject.run()) as number;
  if (total !== sequenceTotal) throw new Error(`${subject.name} routed wrongly: total ${total}, expected ${sequenceTotal}`);
}

function nestHandler(index: number): new () => object {
  const handler = class {
    execute(command: Numbered): number {
      return command.value + index;
    }
  };
  Object.defineProperty(handler, 'name', { value: `Command${index}Handler` });
  return handler;
}

function mediatrHandler(index: number): new () => object {
  return class {
    async handle(command: Numbered): Promise<number> {
      return command.value + index;
    }
  };
}

const peersNote =
  'peers have no comparable step: @nestjs/cqrs registers handlers while bootstrapping a Nest application, and mediatr-ts into a process-global registry that cannot be emptied.';

/** Attaching the 1,000 classes to `attached` handlers with a router, against a bare `Map`. */
function attachComparison(title: string, attached: readonly ((command: Numbered) => number)[], call: string, note: string) {
  const last = classes[classCount - 1]!;
  return {
    title,
    target: 2,
    verify: expectResult(classCount),
    subjects: [
      {
        name: 'new Map() and 1,000 map.set(class, handler)',
        role: 'baseline' as const,
        run: () => {
          const fresh = new Map<unknown, (command: Numbered) => number>();
          for (let index = 0; index < classCount; index++) fresh.set(classes[index]!, attached[index]!);
          return fresh.has(last) ? fresh.size : -1;
        },
      },
      {
        name: `new MessageRouter() and 1,000 ${call}`,
        role: 'troopy' as const,
        run: () => {
          const fresh = new MessageRouter();
          for (let index = 0; index < classCount; index++) fresh.attach(classes[index]!, attached[index]!);
          return fresh.has(last) ? classCount : -1;
        },
        note,
      },
    ],
  };
}

/** Scenario 5: 1,000 command classes attached, dispatch to a random one; and attaching them. */
export const manyCommands: Scenario = {
  id: 'many',
  number: 5,
  title: '1,000 command classes: dispatch to a random one, and attach all',
  setup: async () => {
    const map = new Map<unknown, (command: Numbered) => number>();
    const router = new MessageRouter();
    classes.forEach((messageClass, index) => {
      map.set(messageClass, handlers[index]!);
      router.attach(messageClass, handlers[index]!);
    });
    const bus = new CommandBus({ router });
    const nest = await startNest(classes.map((command, index) => ({ command, handler: nestHandler(index) })));
    const mediator = startMediator({ resolver: 'singleton', requests: classes.map((request, index) => [request, mediatrHandler(index)] as const) });
    return {
      comparisons: [
        {
          title: 'Dispatch to a random one of 1,000 command classes',
          target: 1.2,
          verify: verifyRouting,
          subjects: [
            cycling('hand-written router: map.get(command.constructor)(command)', 'baseline', (command) => map.get(command.constructor)!(command)),
            cycling('troopy CommandBus.dispatch', 'troopy', (command) => bus.dispatch(command)),
            cycling('@nestjs/cqrs CommandBus.execute', 'peer', (command) => nest.commands.execute(command), 'synchronous execute(), as in scenario 1.'),
            cycling(
              'mediatr-ts Mediator.send (awaited)',
              'peer',
              (command) => mediator.send(command as never),
              'always a promise, awaited; singleton resolver. It finds handlers by scanning all 1,000 registrations.',
            ),
          ],
        },
        attachComparison('Attach 1,000 command classes (one op = all 1,000)', handlers, 'router.attach(class, handler)', peersNote),
        attachComparison(
          'Attach 1,000 command classes to function-keyword handlers (one op = all 1,000)',
          declaredHandlers,
          'router.attach(class, function handler(command) {...})',
          'a function with a prototype must be told from a class without handle (which attach refuses).',
        ),
      ],
      close: nest.close,
    };
  },
};
