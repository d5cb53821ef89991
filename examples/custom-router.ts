/**
 * A router of your own instead of the global one.
 *
 * `new MessageRouter()` holds its own command-to-handler table. Handlers are attached to it
 * with `router.attach(MessageClass, handler)`, or with a decorator made for it by
 * `createAttachDecorator(router)`; a bus built with `{ router }` dispatches through it. Other
 * routers, including the default one behind `@command` and `new CommandBus()`, never see
 * these commands, so libraries, tests and modules can keep their commands apart.
 *
 * Run alone: npx tsx examples/custom-router.ts
 */
import { Command, CommandBus, HandlerAlreadyAttachedError, MessageRouter, NoHandlerAttachedError, createAttachDecorator } from 'troopy';
import { defineExample } from './support.js';

const router = new MessageRouter();
/** Works like `@command`, but attaches to `router`. */
const handledBy = createAttachDecorator(router);

class OpenAccountHandler {
  handle(message: OpenAccount): string {
    return `opened account for ${message.owner}`;
  }
}

@handledBy(OpenAccountHandler)
class OpenAccount extends Command<string> {
  constructor(readonly owner: string) {
    super();
  }
}

class CloseAccount extends Command<string> {
  constructor(readonly owner: string) {
    super();
  }
}
router.attach(CloseAccount, (message) => `closed account of ${message.owner}`);

export async function run(): Promise<void> {
  const bus = new CommandBus({ router });
  console.log(bus.dispatch(new OpenAccount('Tom')));
  console.log(bus.dispatch(new CloseAccount('Tom')));
  const attached = router.findFor(new OpenAccount('Ann'));
  console.log(`router.has(OpenAccount): ${router.has(OpenAccount)}; findFor gives OpenAccountHandler: ${attached === OpenAccountHandler}`);

  // A command has exactly one handler per router: a second attach is refused, the first stays.
  try {
    router.attach(CloseAccount, () => 'another handler');
  } catch (error) {
    if (!(error instanceof HandlerAlreadyAttachedError)) throw error;
    console.log(`second attach refused: ${error.name}`);
  }

  // The default bus uses the global router, which knows nothing of this router's commands.
  try {
    new CommandBus().dispatch(new OpenAccount('Tom'));
  } catch (error) {
    if (!(error instanceof NoHandlerAttachedError)) throw error;
    console.log(`default bus: ${error.name} for ${error.messageClass.name}`);
  }
}

export const example = defineExample(import.meta.url, 'new MessageRouter(), router.attach and createAttachDecorator(router)', run);
