import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { currentMessageContext, messageContextReaderExists } from '../sending/message-context.js';
import { Sender } from '../sending/sender.js';
import { createKit, FollowUp, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerOptions } from './worker-options.js';

let kit = createKit();
afterEach(() => kit.stopAll());

/** The message context one handler saw after an await, with the worker built from `options`. */
async function contextSeen(options: Partial<WorkerOptions>): Promise<unknown> {
  const seen: unknown[] = [];
  kit = createKit({
    handler: async () => {
      await Promise.resolve();
      seen.push(currentMessageContext());
    },
  });
  await kit.transport.send([encodeMessage(new TestCommand('x'), { registry: kit.registry, correlationId: 'c-1' })]);
  const worker = kit.worker(options);
  worker.start();
  await waitFor(() => worker.health().processed === 1, 'one processed message');
  return seen[0];
}

// One file, in order: the module-wide "a Sender exists" switch only ever turns on.
describe('the message scope of handlers (messageScope)', () => {
  it('is not entered by default while the process has no Sender, and is with messageScope: true', async () => {
    expect(messageContextReaderExists()).toBe(false);
    expect(await contextSeen({})).toBeUndefined();
    expect(await contextSeen({ messageScope: true })).toMatchObject({ correlationId: 'c-1' });
  });

  it('is entered by default once a Sender exists, and never with messageScope: false', async () => {
    new Sender({ routes: [[FollowUp, new InMemoryTransport({ name: 'out' })]] });
    expect(messageContextReaderExists()).toBe(true);
    expect(await contextSeen({})).toMatchObject({ correlationId: 'c-1' });
    expect(await contextSeen({ messageScope: false })).toBeUndefined();
  });

  it('rejects a messageScope that is not a boolean', () => {
    expect(() => kit.worker({ messageScope: 'yes' as unknown as boolean })).toThrow(/"messageScope" must be true or false; got/);
  });
});
