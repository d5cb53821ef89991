import { expectTypeOf } from 'vitest';
import { Command, CommandBus, MessageRouter } from 'troopy';
import { InMemoryTransport, Sender, messageName, routeToTransports, type SendReceipt } from 'troopy/transport';
import { Worker } from 'troopy/worker';
import { RedisTransport } from 'troopy/redis';
import { RabbitMqTransport } from 'troopy/rabbitmq';
import { PostgresTransport } from 'troopy/postgres';
import { NatsTransport } from 'troopy/nats';

@messageName('billing.send-invoice', { version: 1 })
class SendInvoice extends Command<Promise<void>> {
  constructor(
    readonly orderId: string,
    readonly dueAt: Date,
  ) {
    super();
  }
}
class GetAge extends Command<number> {}
class Plain {
  constructor(readonly text: string) {}
}

const router = new MessageRouter();
router.attach(SendInvoice, async () => {});
router.attach(GetAge, () => 42);
// @ts-expect-error GetAge declares a number; a handler returning a string does not fit
router.attach(GetAge, () => 'x');

const invoices = new InMemoryTransport({ name: 'memory:invoices' });

// Only a class declaring Command<Promise<void>> can be routed to a transport.
const sender = new Sender({ routes: [[SendInvoice, invoices]] });
routeToTransports({ routes: [[SendInvoice, invoices]] });
// @ts-expect-error GetAge declares a number, so dispatching it could not resolve the same when sent
new Sender({ routes: [[GetAge, invoices]] });
// @ts-expect-error a class not extending Command declares nothing
routeToTransports({ routes: [[Plain, invoices]] });

const bus = new CommandBus({ router, middleware: [routeToTransports(sender)] });
expectTypeOf(bus.dispatch(new SendInvoice('A-17', new Date()))).resolves.toBeVoid();
expectTypeOf(sender.send(new SendInvoice('A-18', new Date()), { delayMs: 60_000 })).toEqualTypeOf<Promise<SendReceipt>>();

// A strict project passes what it has for an option it may not have (exactOptionalPropertyTypes).
const env: Record<string, string | undefined> = {};
new RedisTransport({ url: env['REDIS_URL'], stream: 'billing' });
new RabbitMqTransport({ url: env['AMQP_URL'], queue: 'billing' });
new PostgresTransport({ connectionString: env['DATABASE_URL'], queue: 'emails' });
new NatsTransport({ servers: env['NATS_URL'], stream: 'billing', subject: 'billing.commands' });
new Worker({ transports: [invoices], bus, concurrency: undefined, leaseMs: undefined });
