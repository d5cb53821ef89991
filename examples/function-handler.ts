/**
 * Plain functions as handlers.
 *
 * Any function `(message, context?) => result` can handle a command: a named function, an
 * arrow function attached inline, or an async function. The bus calls it directly (no factory
 * is involved) and returns its result as it is. The optional second argument is the
 * `DispatchContext` given to `dispatch`, such as headers carrying a request id.
 *
 * Run alone: npx tsx examples/function-handler.ts
 */
import { Command, CommandBus, MessageRouter, type DispatchContext } from 'troopy';
import { defineExample } from './support.js';

class AddNumbers extends Command<number> {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
  }
}

class Shout extends Command<string> {
  constructor(readonly text: string) {
    super();
  }
}

class SendReceipt extends Command<Promise<string>> {
  constructor(readonly orderId: string) {
    super();
  }
}

function addNumbers(message: AddNumbers): number {
  return message.a + message.b;
}

async function sendReceipt(message: SendReceipt, context?: DispatchContext): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return `receipt for order ${message.orderId} sent (request ${context?.headers?.['x-request-id'] ?? 'none'})`;
}

const router = new MessageRouter();
router.attach(AddNumbers, addNumbers);
router.attach(Shout, (message) => `${message.text.toUpperCase()}!`);
router.attach(SendReceipt, sendReceipt);

export async function run(): Promise<void> {
  const bus = new CommandBus({ router });
  console.log(`AddNumbers(2, 3) -> ${bus.dispatch(new AddNumbers(2, 3))}`);
  console.log(`Shout('hello') -> ${bus.dispatch(new Shout('hello'))}`);
  console.log(await bus.dispatch(new SendReceipt('A-17'), { headers: { 'x-request-id': 'req-1' } }));
}

export const example = defineExample(import.meta.url, 'plain and async functions as handlers, with the dispatch context', run);
