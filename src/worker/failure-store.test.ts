import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { FailureStore } from './failure-store.js';
import { createKit, TestCommand, waitFor } from './test-kit.case.js';

let kit = createKit();
afterEach(() => kit.stopAll());

describe('FailureStore', () => {
  it('lists and shows a dead letter with its name, attempts, error chain and reason', async () => {
    let calls = 0;
    kit = createKit({
      handler: () => {
        throw new Error(`failure ${++calls}`);
      },
    });
    const message = encodeMessage(new TestCommand('x'), { registry: kit.registry });
    await kit.transport.send([message]);
    const worker = kit.worker({ retry: { maxAttempts: 3, baseMs: 1 } });
    worker.start();
    const store = new FailureStore(kit.transport);
    await waitFor(() => worker.health().processed === 3, 'three attempts');
    const [failed] = await store.list();
    expect(failed).toMatchObject({ id: message.id, messageName: 'test.job', attempts: 3, reason: { code: 'max-attempts' } });
    expect(failed?.errorHistory.map((error) => error.message)).toEqual(['failure 1', 'failure 2', 'failure 3']);
    expect(failed?.body).toEqual(message.body);
    expect(await store.show(message.id)).toEqual(failed);
    expect(await store.show('nope')).toBeUndefined();
  });

  it('redrives a message with fresh attempts, so a fixed handler gets its full retries again', async () => {
    let calls = 0;
    kit = createKit({
      handler: () => {
        calls++;
        // Fails twice (dead-lettered after maxAttempts 2), then once more after the redrive, then succeeds.
        if (calls <= 3) throw new Error(`failure ${calls}`);
      },
    });
    const message = encodeMessage(new TestCommand('x'), { registry: kit.registry });
    await kit.transport.send([message]);
    const worker = kit.worker({ retry: { maxAttempts: 2, baseMs: 1 } });
    worker.start();
    const store = new FailureStore(kit.transport);
    await waitFor(() => worker.health().processed === 2, 'two attempts');
    expect(await store.list()).toHaveLength(1);
    expect(await store.redrive([message.id, 'unknown'])).toBe(1);
    await waitFor(() => worker.health().processed === 4, 'two more attempts');
    expect(calls).toBe(4);
    expect(await store.list()).toEqual([]);
    expect(kit.calls.at(-1)?.context?.attempt).toBe(2);
  });

  it('redrives all and removes, returning how many', async () => {
    kit = createKit({
      handler: () => {
        throw new Error('always');
      },
    });
    await kit.transport.send(['a', 'b', 'c'].map((label) => encodeMessage(new TestCommand(label), { registry: kit.registry })));
    const worker = kit.worker({ retry: { maxAttempts: 1 } });
    worker.start();
    const store = new FailureStore(kit.transport);
    await waitFor(() => worker.health().processed === 3, 'three attempts');
    await worker.stop();
    expect(await store.redrive()).toBe(3);
    expect(await store.list()).toEqual([]);
    const requeued = await kit.transport.receive({ max: 10, leaseMs: 1_000, waitMs: 0 });
    expect(requeued).toHaveLength(3);
    for (const delivery of requeued) await kit.transport.deadLetter(delivery, { code: 'test', message: 'again' });
    expect(await store.remove([requeued[0]!.id])).toBe(1);
    expect(await store.remove()).toBe(2);
    expect(await store.list()).toEqual([]);
  });
});
