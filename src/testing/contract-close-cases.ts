import type { Delivery } from '../transport/transport.js';
import { TransportClosedError } from '../transport/transport-errors.js';
import { check, checkEqual, ContractViolationError } from './contract-assert.js';
import { sleep, type ContractCase } from './contract-kit.js';

/** Resolves with the receive's deliveries, or with `'pending'` if it has not settled after `ms`. */
async function settledWithin(pending: Promise<Delivery[]>, ms: number): Promise<Delivery[] | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => {
      resolve('pending');
    }, ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cases about stopping: aborting a receive, closing with a receive pending. */
export const closeCases: readonly ContractCase[] = [
  {
    name: 'aborting a pending receive resolves it promptly, and the transport keeps working',
    async run({ transport, message, receive, receiveOne }) {
      const controller = new AbortController();
      const pending = receive({ waitMs: 10_000, signal: controller.signal });
      await sleep(150);
      const start = Date.now();
      controller.abort();
      const result = await settledWithin(pending, 1_500);
      check(result !== 'pending', 'receive() was still pending 1,500 ms after its signal was aborted.');
      checkEqual(result.length, 0, 'deliveries from an aborted receive on an empty queue');
      check(Date.now() - start < 1_500, `the aborted receive took ${Date.now() - start} ms to resolve.`);
      const sent = message('after-abort');
      await transport.send([sent]);
      await transport.ack(await receiveOne(sent, 'message sent after an aborted receive'));
    },
  },
  {
    name: 'close resolves a pending receive promptly and is safe to call twice',
    async run({ transport, receive }) {
      const pending = receive({ waitMs: 10_000 });
      await sleep(150);
      const start = Date.now();
      await transport.close();
      const result = await settledWithin(pending, 1_500);
      check(result !== 'pending', 'receive() was still pending 1,500 ms after close() resolved.');
      checkEqual(result.length, 0, 'deliveries from a receive ended by close()');
      check(Date.now() - start < 2_000, `close() with a pending receive took ${Date.now() - start} ms.`);
      await transport.close();
      const afterClose = await settledWithin(receive({ waitMs: 10_000 }), 1_500);
      check(afterClose !== 'pending' && afterClose.length === 0, 'receive() after close() must resolve at once with no deliveries.');
    },
  },
  {
    name: 'after close, every operation rejects with TransportClosedError (a returned promise, never a synchronous throw)',
    async run({ transport, message, receiveOne }) {
      const sent = message('closed');
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'the message received before close()');
      await transport.close();
      const operations: readonly [string, () => Promise<unknown>][] = [
        ['setup', () => transport.setup()],
        ['send', () => transport.send([message('after-close')])],
        ['ack', () => transport.ack(delivery)],
        ['retry', () => transport.retry(delivery, 0, delivery.headers)],
        ['deadLetter', () => transport.deadLetter(delivery, { code: 'contract', message: 'closed' })],
        ['extendLease', () => transport.extendLease(delivery, 1_000)],
        ['release', () => transport.release(delivery)],
      ];
      for (const [name, operation] of operations) {
        let returned: Promise<unknown>;
        try {
          returned = operation();
        } catch (error) {
          throw new ContractViolationError(`${name}() after close() threw synchronously instead of rejecting: ${String(error)}`);
        }
        const outcome = await returned.then(
          () => 'resolved',
          (error: unknown) => error,
        );
        check(
          outcome instanceof TransportClosedError,
          `${name}() after close() must reject with TransportClosedError; got ${outcome instanceof Error ? outcome.name : String(outcome)}.`,
        );
      }
    },
  },
];
