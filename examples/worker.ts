/**
 * Asynchronous commands: the same command class, sent through a transport and handled by a
 * worker, with its Date and BigInt fields and its class intact.
 *
 * The application routes `SendInvoice` to a transport (`routeToTransports`), so
 * `bus.dispatch(...)` sends it instead of handling it, and resolves once the transport has
 * accepted it. A `Worker` consumes the transport and runs the same handler through the same
 * bus. A command whose handler throws `UnrecoverableError` goes to the dead letters at once,
 * where the failure store lists it. This runs on the in-memory transport, and again on Redis
 * Streams when `REDIS_URL` is set (for example `REDIS_URL=redis://127.0.0.1:6379`).
 *
 * Run alone: npx tsx examples/worker.ts
 */
import { Command, CommandBus, MessageRouter, type DispatchContext } from 'troopy';
import { InMemoryTransport, Sender, UnrecoverableError, messageName, routeToTransports, type Transport } from 'troopy/transport';
import { FailureStore, Worker } from 'troopy/worker';
import { defineExample } from './support.js';

@messageName('billing.send-invoice', { version: 1 })
class SendInvoice extends Command<Promise<void>> {
  constructor(
    readonly orderId: string,
    readonly amountCents: bigint,
    readonly dueAt: Date,
  ) {
    super();
  }
}

async function handleInvoice(command: SendInvoice, context?: DispatchContext): Promise<void> {
  if (command.orderId === 'broken') throw new UnrecoverableError(`order ${command.orderId} has no customer`);
  const intact = command instanceof SendInvoice && command.dueAt instanceof Date && typeof command.amountCents === 'bigint';
  console.log(
    `  [worker] invoice for ${command.orderId}: ${command.amountCents} cents due ${command.dueAt.toISOString().slice(0, 10)}` +
      ` (class, Date and BigInt intact: ${intact}; message …${context?.messageId?.slice(-8) ?? '?'}, delivery ${context?.deliveryCount ?? '?'})`,
  );
}

/** Sends three invoices (one broken) through `transport`, runs a worker until they are settled, then shows the dead letter. */
async function roundTrip(label: string, transport: Transport): Promise<void> {
  console.log(`${label}:`);
  const router = new MessageRouter();
  router.attach(SendInvoice, handleInvoice);
  const sender = new Sender({ routes: [[SendInvoice, transport]] });
  const bus = new CommandBus({ router, middleware: [routeToTransports(sender)] });

  await transport.setup();
  await bus.dispatch(new SendInvoice('A-17', 129_900n, new Date('2026-12-31')));
  await bus.dispatch(new SendInvoice('broken', 1n, new Date('2026-12-31')));
  const receipt = await sender.send(new SendInvoice('A-18', 4_200n, new Date('2027-01-15')), { delayMs: 200 });
  console.log(`  [app] sent 3 commands; the last one, delayed 200 ms, is …${receipt.id.slice(-8)} on ${receipt.transport}`);

  const worker = new Worker({ transports: [transport], bus, concurrency: 2, leaseMs: 3_000, receiveWaitMs: 100 });
  let settled = 0;
  const allSettled = new Promise<void>((resolve) => {
    const count = (): void => {
      settled += 1;
      if (settled === 3) resolve();
    };
    worker.on('handled', count);
    worker.on('dead-lettered', ({ reason }) => {
      console.log(`  [worker] dead-lettered: ${reason.code}: ${reason.message}`);
      count();
    });
  });
  worker.start();
  await allSettled;
  await worker.stop();

  const failures = new FailureStore(transport);
  const dead = await failures.list();
  console.log(`  [failures] ${dead.length} dead letter(s); removing them: ${await failures.remove()}`);
}

export async function run(): Promise<void> {
  const memory = new InMemoryTransport({ name: 'memory:invoices' });
  await roundTrip('in-memory transport', memory);
  await memory.close();

  const url = process.env['REDIS_URL'];
  if (url === undefined || url === '') {
    console.log('Redis: skipped (set REDIS_URL=redis://127.0.0.1:6379 to run this part on Redis Streams)');
    return;
  }
  const { RedisTransport } = await import('troopy/redis');
  const stream = `troopy:demo:${Date.now()}`;
  const redis = new RedisTransport({ url, stream });
  try {
    await roundTrip(`Redis Streams (${stream})`, redis);
  } finally {
    await redis.close();
  }
}

export const example = defineExample(import.meta.url, 'asynchronous commands: routing, a worker, dead letters (in memory; Redis with REDIS_URL)', run);
