/**
 * The basic example from the Python troopy README, in TypeScript.
 *
 * `@command(HelloHandler)` attaches the `SayHello` class to its handler on the library's default
 * router, and `new CommandBus()` (which uses that router) dispatches a `SayHello` to a fresh
 * `HelloHandler`. This is the only example that uses the global `command` decorator; the others
 * keep their handlers on a router of their own.
 *
 * Run alone: npx tsx examples/basic.ts
 */
import { CommandBus, command } from 'troopy';
import { defineExample } from './support.js';

/** Welcomes a user. A class handler: the bus builds one per dispatch and calls `handle`. */
class HelloHandler {
  handle(message: SayHello): void {
    console.log(`Hello user ${message.username}!`);
  }
}

@command(HelloHandler)
class SayHello {
  constructor(readonly username: string) {}
}

export async function run(): Promise<void> {
  const commandBus = new CommandBus();
  commandBus.dispatch(new SayHello('Tom'));
}

export const example = defineExample(import.meta.url, 'the seed example: @command(HelloHandler) and new CommandBus()', run);
