import { Command } from '../command.js';
import { CommandBus } from '../command-bus.js';
import type { DispatchContext } from '../context.js';
import { MessageRouter } from '../message-router.js';
import type { Middleware } from '../middleware.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { MessageRegistry } from '../envelope/message-registry.js';
import type { Delivery, ReceiveOptions } from '../transport/transport.js';
import { Worker } from './worker.js';
import type { WorkerOptions } from './worker-options.js';

/** A command for the worker tests: one string field, handled asynchronously. */
export class TestCommand extends Command<Promise<void>> {
  constructor(readonly label: string) {
    super();
  }
}

/** A second command, for tests that send from inside a handler. */
export class FollowUp extends Command<Promise<void>> {
  constructor(readonly label: string) {
    super();
  }
}

/** What a handler is given for each call, recorded by the kit. */
export interface Call {
  readonly command: TestCommand;
  readonly context: DispatchContext | undefined;
}

/** A registry, router, bus and in-memory transport, fresh for one test. */
export function createKit(
  options: {
    handler?: (command: TestCommand, context: DispatchContext | undefined) => unknown;
    middleware?: readonly Middleware[];
    registry?: MessageRegistry;
  } = {},
) {
  const registry = options.registry ?? new MessageRegistry();
  registry.register(TestCommand, { name: 'test.job' });
  registry.register(FollowUp, { name: 'test.follow-up' });
  const router = new MessageRouter();
  const calls: Call[] = [];
  const handler = options.handler ?? (() => undefined);
  router.attach(TestCommand, async (command, context) => {
    calls.push({ command, context });
    await handler(command, context);
  });
  const bus = new CommandBus({ router, middleware: options.middleware ?? [] });
  const transport = new InMemoryTransport({ name: 'jobs' });
  const workers: Worker[] = [];
  const worker = (overrides: Partial<WorkerOptions> = {}): Worker => {
    const created = new Worker({ transports: [transport], bus, registry, receiveWaitMs: 50, ...overrides });
    workers.push(created);
    return created;
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(workers.map((created) => created.stop()));
    await transport.close();
  };
  return { registry, router, bus, transport, calls, worker, stopAll };
}

/** Resolves once `condition` holds, polling every 5 ms; rejects after `timeoutMs` saying what it waited for. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise with its resolve function, for handlers that wait for the test. */
export function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * An in-memory transport whose `receive` can be made to fail (a broker outage) and whose
 * deliveries can be given a higher delivery count (a message that crashed earlier workers).
 */
export class UnreliableTransport extends InMemoryTransport {
  /** While true, every receive rejects as a broker outage would. */
  failing = false;
  /** Added to every delivery's count. */
  extraDeliveries = 0;
  /** How many receives were attempted. */
  receives = 0;

  override async receive(options: ReceiveOptions): Promise<Delivery[]> {
    this.receives++;
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const deliveries = await super.receive(options);
    return deliveries.map((delivery) => ({ ...delivery, deliveryCount: delivery.deliveryCount + this.extraDeliveries }));
  }
}

/**
 * Runs `body` while recording every unhandled rejection and uncaught exception of the process
 * (in the array it is given, as they come), and resolves with its result and what was recorded.
 */
export async function catchingUnhandled<T>(
  body: (unhandled: readonly unknown[]) => Promise<T>,
): Promise<{ readonly result: T; readonly unhandled: readonly unknown[] }> {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  try {
    return { result: await body(unhandled), unhandled };
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
}
