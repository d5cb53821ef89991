import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Command } from '../command.js';
import { CommandBus } from '../command-bus.js';
import { MessageRouter } from '../message-router.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { JsonCodec } from '../envelope/json-codec.js';
import { MessageHeader } from '../envelope/message-headers.js';
import { MissingMessageNameError } from '../envelope/message-name-errors.js';
import { MessageRegistry } from '../envelope/message-registry.js';
import { routeToTransports } from './routing-middleware.js';
import { NoTransportRouteError, SendBatchError } from './send-errors.js';
import { Sender } from './sender.js';
import type { Transport } from '../transport/transport.js';

class SendEmail extends Command<Promise<void>> {
  constructor(readonly to: string) {
    super();
  }
}
class BuildReport extends Command<Promise<void>> {
  constructor(readonly month: Date) {
    super();
  }
}
class Unnamed extends Command<Promise<void>> {}
class Add extends Command<number> {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
  }
}

let emails = new InMemoryTransport({ name: 'emails' });
let reports = new InMemoryTransport({ name: 'reports' });
afterEach(async () => {
  await emails.close();
  await reports.close();
});

function setup() {
  emails = new InMemoryTransport({ name: 'emails' });
  reports = new InMemoryTransport({ name: 'reports' });
  const registry = new MessageRegistry();
  registry.register(SendEmail, { name: 'mail.send-email' });
  registry.register(BuildReport, { name: 'reports.build' });
  const router = new MessageRouter();
  const handled = vi.fn(async () => undefined);
  router.attach(SendEmail, handled);
  router.attach(Unnamed, async () => undefined);
  router.attach(Add, (command) => command.a + command.b);
  const sender = new Sender({
    routes: [
      [SendEmail, emails],
      [BuildReport, reports],
      [Unnamed, emails],
    ],
    registry,
  });
  const bus = new CommandBus({ router, middleware: [routeToTransports(sender)] });
  return { registry, handled, sender, bus };
}

async function receiveAll(transport: Transport, waitMs = 0) {
  return transport.receive({ max: 10, leaseMs: 1_000, waitMs });
}

describe('routeToTransports', () => {
  it('sends a routed command to its transport instead of handling it, resolving with the receipt', async () => {
    const { bus, handled } = setup();
    const receipt: unknown = await bus.dispatch(new SendEmail('tom@example.com'));
    const [delivery] = await receiveAll(emails);
    expect(handled).not.toHaveBeenCalled();
    expect(delivery?.headers[MessageHeader.name]).toBe('mail.send-email');
    expect(receipt).toEqual({ id: delivery?.id, transport: 'emails' });
    expect(await receiveAll(reports)).toEqual([]);
  });

  it('hands an unrouted command to its handler in process, result unchanged', async () => {
    const { bus } = setup();
    expect(await bus.dispatch(new Add(2, 3))).toBe(5);
    expect(await receiveAll(emails)).toEqual([]);
  });

  it('handles a routed command in process when the worker dispatches it (context.receivedFrom)', async () => {
    const { bus, handled } = setup();
    await bus.dispatch(new SendEmail('tom@example.com'), { receivedFrom: 'emails' });
    expect(handled).toHaveBeenCalledTimes(1);
    expect(await receiveAll(emails)).toEqual([]);
  });

  it('rejects (never throws synchronously) with MissingMessageNameError for a routed class without a name', async () => {
    const { bus, sender } = setup();
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = Promise.resolve(bus.dispatch(new Unnamed())))).not.toThrow();
    await expect(pending).rejects.toThrow(
      "Unnamed has no message name, so it cannot be sent to another process. Give it a stable name: decorate the class with @messageName('billing.unnamed'), or call messageRegistry.register(Unnamed, { name: 'billing.unnamed' }).",
    );
    await expect(sender.send(new Unnamed())).rejects.toBeInstanceOf(MissingMessageNameError);
    expect(await receiveAll(emails)).toEqual([]);
  });

  it('surfaces a broker refusal as the rejection of dispatch', async () => {
    const { bus } = setup();
    await emails.close();
    await expect(bus.dispatch(new SendEmail('tom@example.com'))).rejects.toThrow('Cannot send on transport "emails": it is closed.');
  });

  it('sends the dispatch context headers and correlation id with the command', async () => {
    const { bus } = setup();
    await bus.dispatch(new SendEmail('tom@example.com'), { headers: { tenant: 'acme' }, correlationId: 'request-7' });
    const [delivery] = await receiveAll(emails);
    expect(delivery?.headers['tenant']).toBe('acme');
    expect(delivery?.headers[MessageHeader.correlationId]).toBe('request-7');
  });

  it('types await bus.dispatch(routed) as void, and refuses routes whose class does not declare Command<Promise<void>>', () => {
    const { bus } = setup();
    expectTypeOf(bus.dispatch(new SendEmail('x'))).resolves.toBeVoid();
    class Plain {}
    routeToTransports({
      routes: [
        [SendEmail, emails],
        // @ts-expect-error a routed command must extend Command<Promise<void>>; Add declares number
        [Add, emails],
      ],
    });
    // @ts-expect-error a class that does not extend Command declares nothing
    new Sender({ routes: [[Plain, emails]] });
    class Answer extends Command<Promise<number>> {}
    // @ts-expect-error Promise<number> is not Promise<void>: the caller would await a number that never comes
    new Sender({ routes: [[Answer, emails]] });
  });

  it('refuses a class routed twice and malformed routes, naming the entry', () => {
    expect(
      () =>
        new Sender({
          routes: [
            [SendEmail, emails],
            [SendEmail, reports],
          ],
        }),
    ).toThrow(
      'Sender option "routes": SendEmail is routed twice (to "emails" and "reports"); a command class is sent to exactly one transport, so remove one of the entries.',
    );
    expect(() => routeToTransports({ routes: [[SendEmail, {} as Transport]] })).toThrow(/entry 0 \(SendEmail\) must name a transport/);
    expect(() => new Sender({ routes: 'emails' as never })).toThrow(
      'Sender option "routes" must be an array of [CommandClass, transport] pairs; got the string "emails".',
    );
  });
});

describe('Sender', () => {
  it('holds a delayed send back until its time (delayMs and notBefore)', async () => {
    const { sender } = setup();
    const started = Date.now();
    await sender.send(new SendEmail('later'), { delayMs: 80 });
    await sender.send(new BuildReport(new Date(0)), { notBefore: new Date(started + 80) });
    expect(await receiveAll(emails)).toEqual([]);
    expect(await receiveAll(reports)).toEqual([]);
    const [email] = await receiveAll(emails, 1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(78);
    expect(email).toBeDefined();
    expect(await receiveAll(reports, 1_000)).toHaveLength(1);
  });

  it('refuses delayMs together with notBefore, and a negative delay', async () => {
    const { sender } = setup();
    await expect(sender.send(new SendEmail('x'), { delayMs: 1, notBefore: 5 })).rejects.toThrow(
      'send takes either "delayMs" or "notBefore", not both; pick one.',
    );
    await expect(sender.send(new SendEmail('x'), { delayMs: -1 })).rejects.toThrow('send option "delayMs" must be a finite number >= 0; got the number -1.');
  });

  // Issue 11, item 5: "x" sent a header "0": "x", and 42 was ignored.
  it.each([
    ['a string', 'x', 'the string "x"'],
    ['a number', 42, 'the number 42'],
    ['an array', ['x'], 'an instance of Array'],
    ['null', null, 'null'],
  ])('refuses send headers that are %s with a TypeError naming headers, sending nothing', async (_label, headers, shown) => {
    const { sender } = setup();
    const send = sender.send(new SendEmail('x'), { headers: headers as never });
    await expect(send).rejects.toThrow(TypeError);
    await expect(send).rejects.toThrow(`send option "headers" must be an object of header names to strings, such as { tenant: 'acme' }; got ${shown}.`);
    expect(await receiveAll(emails)).toEqual([]);
  });

  it.each([
    ['codec', { codec: JsonCodec }, 'the class JsonCodec'],
    ['codec', { codec: {} }, 'a plain object without encode, decode, contentType'],
    ['registry', { registry: new Map() }, 'an instance of Map without findByName, definitionOf'],
    ['registry', { registry: {} }, 'a plain object without findByName, definitionOf'],
  ])('refuses a %s that is not one at construction, naming the option', (option, options, shown) => {
    expect(() => new Sender({ routes: [[SendEmail, new InMemoryTransport({ name: 'x' })]], ...(options as object) })).toThrow(
      new TypeError(
        `Sender option "${option}" must be ${option === 'codec' ? 'a codec, such as new JsonCodec(): an object with encode and decode methods and a contentType string' : 'a MessageRegistry, such as messageRegistry or new MessageRegistry()'}; got ${shown}.`,
      ),
    );
  });

  it('rejects with NoTransportRouteError for a class that is not routed', async () => {
    const { sender } = setup();
    await expect(sender.send(new Add(1, 2) as never)).rejects.toBeInstanceOf(NoTransportRouteError);
    await expect(sender.send(new Add(1, 2) as never)).rejects.toThrow('Add is not routed to any transport, so it cannot be sent.');
  });

  it('sends a batch with one send per transport and returns receipts in order', async () => {
    const { sender } = setup();
    const spy = vi.spyOn(emails, 'send');
    const receipts = await sender.sendBatch([new SendEmail('a'), new BuildReport(new Date(0)), new SendEmail('b')]);
    expect(receipts.map((receipt) => receipt.transport)).toEqual(['emails', 'reports', 'emails']);
    expect(spy).toHaveBeenCalledTimes(1);
    const delivered = await receiveAll(emails);
    expect(delivered.map((delivery) => delivery.id)).toEqual([receipts[0]?.id, receipts[2]?.id]);
  });

  it('sends nothing from a batch holding a command that cannot be encoded', async () => {
    const { sender } = setup();
    await expect(sender.sendBatch([new SendEmail('a'), new Unnamed()])).rejects.toThrow(/Unnamed has no message name/);
    expect(await receiveAll(emails)).toEqual([]);
  });

  it('reports a partly sent batch with SendBatchError and the receipts that were confirmed', async () => {
    const { sender } = setup();
    await reports.close();
    const error: unknown = await sender.sendBatch([new SendEmail('a'), new BuildReport(new Date(0))]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SendBatchError);
    const receipts = (error as SendBatchError).receipts;
    expect(receipts[0]).toMatchObject({ transport: 'emails' });
    expect(receipts[1]).toBeUndefined();
    expect((error as SendBatchError).message).toMatch(/^1 of 2 commands of the batch were not sent: Cannot send on transport "reports"/);
  });
});
