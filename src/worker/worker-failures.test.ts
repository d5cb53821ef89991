import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../envelope/envelope.js';
import { readAttempt, readErrorHistory } from '../envelope/error-history.js';
import { InMemoryTransport } from '../transport/in-memory-transport.js';
import { UnrecoverableError } from '../transport/unrecoverable-error.js';
import { RetryStrategy } from './retry-strategy.js';
import { createKit, TestCommand, UnreliableTransport, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

let kit = createKit();
afterEach(() => kit.stopAll());

describe('Worker failures', () => {
  it('retries a failing handler exactly maxAttempts times, with backoff gaps within bounds, then dead-letters it', async () => {
    const starts: number[] = [];
    kit = createKit({
      handler: () => {
        starts.push(Date.now());
        throw new Error(`boom ${starts.length}`);
      },
    });
    await kit.transport.send([encodeMessage(new TestCommand('doomed'), { registry: kit.registry })]);
    // random() = 1 makes each delay its ceiling: 40, 80, 160 ms (cap 160).
    const retry = new RetryStrategy({ maxAttempts: 4, baseMs: 40, factor: 2, capMs: 160, random: () => 0.999_999 });
    const worker = kit.worker({ retry });
    const retried: WorkerEvents['retried'][] = [];
    const failed: WorkerEvents['failed'][] = [];
    worker.on('retried', (event) => retried.push(event));
    worker.on('failed', (event) => failed.push(event));
    worker.start();
    const letters = async () => kit.transport.deadLetters.list();
    await waitFor(() => worker.health().processed === 4, 'four attempts', 5_000);
    const [letter] = await letters();
    expect(starts).toHaveLength(4);
    expect(retried.map(({ attempt, delayMs }) => [attempt, delayMs])).toEqual([
      [2, 39],
      [3, 79],
      [4, 159],
    ]);
    const gaps = starts.slice(1).map((at, index) => at - starts[index]!);
    gaps.forEach((gap, index) => {
      const ceiling = [40, 80, 160][index]!;
      expect(gap).toBeGreaterThanOrEqual(ceiling - 2);
      expect(gap).toBeLessThan(ceiling + 150);
    });
    expect(failed.map(({ attempt, error }) => [attempt, (error as Error).message])).toEqual([
      [1, 'boom 1'],
      [2, 'boom 2'],
      [3, 'boom 3'],
      [4, 'boom 4'],
    ]);
    expect(letter?.reason.code).toBe('max-attempts');
    expect(letter?.reason.message).toContain('All 4 attempts failed; the last with Error: boom 4');
    expect(readErrorHistory(letter!.headers).map((error) => error.message)).toEqual(['boom 1', 'boom 2', 'boom 3', 'boom 4']);
    expect(readAttempt(letter!.headers)).toBe(4);
  });

  it('dead-letters an UnrecoverableError at once, without retrying', async () => {
    let attempts = 0;
    kit = createKit({
      handler: () => {
        attempts++;
        throw new UnrecoverableError('order 7 does not exist');
      },
    });
    await kit.transport.send([encodeMessage(new TestCommand('gone'), { registry: kit.registry })]);
    const worker = kit.worker({ retry: { maxAttempts: 5, baseMs: 1 } });
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [letter] = await kit.transport.deadLetters.list();
    expect(attempts).toBe(1);
    expect(letter?.reason).toEqual({ code: 'unrecoverable', message: 'Attempt 1 failed with an UnrecoverableError: order 7 does not exist' });
    expect(readErrorHistory(letter!.headers).map(({ name, message }) => [name, message])).toEqual([['UnrecoverableError', 'order 7 does not exist']]);
    expect(letter!.headers).not.toHaveProperty('attempt');
  });

  it('dead-letters a message delivered more than maxDeliveries times before its handler runs', async () => {
    kit = createKit();
    const transport = new UnreliableTransport({ name: 'crashy' });
    transport.extraDeliveries = 3; // the first delivery here is its 4th: three workers died on it
    const message = encodeMessage(new TestCommand('crash-loop'), { registry: kit.registry });
    await transport.send([message]);
    const worker = kit.worker({ transports: [transport], maxDeliveries: 3 });
    const letters: WorkerEvents['dead-lettered'][] = [];
    worker.on('dead-lettered', (event) => letters.push(event));
    worker.start();
    await waitFor(() => letters.length === 1, 'a dead letter');
    expect(kit.calls).toHaveLength(0);
    expect(letters[0]).toMatchObject({ transport: 'crashy', messageId: message.id, reason: { code: 'max-deliveries' } });
    const [letter] = await transport.deadLetters.list();
    expect(letter?.body).toEqual(message.body);
    await worker.stop();
    await transport.close();
  });

  it('still handles a message delivered exactly maxDeliveries times', async () => {
    kit = createKit();
    const transport = new UnreliableTransport({ name: 'crashy' });
    transport.extraDeliveries = 2;
    await transport.send([encodeMessage(new TestCommand('third time'), { registry: kit.registry })]);
    const worker = kit.worker({ transports: [transport], maxDeliveries: 3 });
    worker.start();
    await waitFor(() => worker.health().processed === 1, 'one processed message');
    expect(kit.calls).toHaveLength(1);
    await worker.stop();
    await transport.close();
  });

  it('dead-letters malformed messages with their bytes and a reason, and keeps consuming', async () => {
    kit = createKit();
    const valid = encodeMessage(new TestCommand('fine'), { registry: kit.registry });
    const bytes = new TextEncoder().encode('{not json');
    const unknownName = { ...valid, id: 'unknown', headers: { ...valid.headers, 'message-id': 'unknown', 'message-name': 'test.nobody' } };
    const noHeaders = { id: 'bare', headers: {}, body: bytes };
    const badJson = { id: 'bad-json', headers: { ...valid.headers, 'message-id': 'bad-json' }, body: bytes };
    const notAnObject = { id: 'array', headers: { ...valid.headers, 'message-id': 'array' }, body: new TextEncoder().encode('[1,2]') };
    await kit.transport.send([noHeaders, badJson, unknownName, notAnObject, valid]);
    const worker = kit.worker({ concurrency: 2 });
    worker.start();
    await waitFor(() => worker.health().processed === 5, 'five processed messages');
    const letters = await kit.transport.deadLetters.list();
    const byId = Object.fromEntries(letters.map((letter) => [letter.id, letter]));
    expect(byId['bare']?.reason.code).toBe('undecodable');
    expect(byId['bad-json']?.reason.code).toBe('undecodable');
    expect(byId['bad-json']?.body).toEqual(bytes);
    expect(byId['unknown']?.reason).toMatchObject({ code: 'unknown-message', message: expect.stringContaining('test.nobody') });
    expect(byId['array']?.reason.code).toBe('invalid-payload');
    expect(letters).toHaveLength(4);
    expect(kit.calls.map((call) => call.command.label)).toEqual(['fine']);
    expect(worker.health().state).toBe('running');
  });

  it('leaves the message to its lease when the broker refuses the outcome, and reports it', async () => {
    kit = createKit();
    const transport = new InMemoryTransport({ name: 'flaky-ack' });
    let failAcks = 1;
    const ack = transport.ack.bind(transport);
    transport.ack = (delivery) => (failAcks-- > 0 ? Promise.reject(new Error('ack lost')) : ack(delivery));
    await transport.send([encodeMessage(new TestCommand('twice'), { registry: kit.registry })]);
    const worker = kit.worker({ transports: [transport], leaseMs: 60 });
    const errors: WorkerEvents['error'][] = [];
    worker.on('error', (event) => errors.push(event));
    worker.start();
    await waitFor(() => worker.health().processed === 2, 'the redelivery to be processed');
    expect(errors.map(({ during, transport: name }) => [during, name])).toEqual([['ack', 'flaky-ack']]);
    expect(kit.calls.map((call) => call.context?.deliveryCount)).toEqual([1, 2]);
    await worker.stop();
    await transport.close();
  });
});
