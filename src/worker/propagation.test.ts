import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { currentMessageContext } from '../sending/message-context.js';
import { MessageHeader } from '../envelope/message-headers.js';
import { MessageRegistry } from '../envelope/message-registry.js';
import { routeToTransports } from '../sending/routing-middleware.js';
import { Sender } from '../sending/sender.js';
import { createKit, FollowUp, TestCommand, waitFor } from './test-kit.case.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const outbox = new InMemoryTransport({ name: 'outbox' });
let kit = createKit();
afterEach(() => kit.stopAll());

async function takeOne(): Promise<Readonly<Record<string, string>>> {
  const [delivery] = await outbox.receive({ max: 1, leaseMs: 1_000, waitMs: 1_000 });
  if (delivery === undefined) throw new Error('nothing was sent to the outbox');
  await outbox.ack(delivery);
  return delivery.headers;
}

describe('correlation and causation from inside a handler', () => {
  it('a command dispatched (and routed) by a handler inherits the correlation id, names the handled message as cause, and keeps the trace', async () => {
    const registry = new MessageRegistry();
    registry.register(FollowUp, { name: 'test.follow-up' });
    const sender = new Sender({ routes: [[FollowUp, outbox]], registry });
    kit = createKit({ registry, middleware: [routeToTransports(sender)], handler: () => kit.bus.dispatch(new FollowUp('next')) });
    const handled = encodeMessage(new TestCommand('first'), { registry: kit.registry, correlationId: 'order-42', traceparent: TRACEPARENT });
    await kit.transport.send([handled]);
    kit.worker().start();
    const headers = await takeOne();
    expect(headers[MessageHeader.correlationId]).toBe('order-42');
    expect(headers[MessageHeader.causationId]).toBe(handled.id);
    expect(headers[MessageHeader.traceparent]).toBe(TRACEPARENT);
    expect(headers[MessageHeader.name]).toBe('test.follow-up');
  });

  it('a command sent outside any handler starts its own conversation', async () => {
    kit = createKit();
    const sender = new Sender({ routes: [[FollowUp, outbox]], registry: kit.registry });
    const receipt = await sender.send(new FollowUp('alone'));
    const headers = await takeOne();
    expect(currentMessageContext()).toBeUndefined();
    expect(headers[MessageHeader.correlationId]).toBe(receipt.id);
    expect(headers[MessageHeader.causationId]).toBeUndefined();
    expect(headers[MessageHeader.traceparent]).toBeUndefined();
  });

  it('the current message context is visible across awaits inside the handler, and gone after it', async () => {
    const seen: unknown[] = [];
    kit = createKit({
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(currentMessageContext());
      },
    });
    const handled = encodeMessage(new TestCommand('x'), { registry: kit.registry, correlationId: 'c-1' });
    await kit.transport.send([handled]);
    const worker = kit.worker({ messageScope: true });
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    expect(seen).toEqual([{ messageId: handled.id, correlationId: 'c-1', traceparent: undefined, tracestate: undefined }]);
    expect(currentMessageContext()).toBeUndefined();
  });
});
