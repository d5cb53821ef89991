import { check, checkEqual } from './contract-assert.js';
import { sleep, type ContractCase } from './contract-kit.js';

/** Cases about what happens to a delivery: ack, lease expiry, extendLease, release, retry. */
export const leaseCases: readonly ContractCase[] = [
  {
    name: 'ack removes the message: nothing is redelivered after the lease',
    async run({ transport, message, receiveOne, expectNothing, leaseMs }) {
      const sent = message('ack');
      await transport.send([sent]);
      await transport.ack(await receiveOne(sent, 'message to ack'));
      await sleep(leaseMs + 200);
      await expectNothing(leaseMs, 'an acked message after its lease ended');
    },
  },
  {
    name: 'an expired lease is redelivered, with deliveryCount one higher, not before the lease ends',
    async run({ transport, message, receiveOne, leaseMs, patienceMs }) {
      const sent = message('expire');
      await transport.send([sent]);
      const start = Date.now();
      const first = await receiveOne(sent, 'first delivery');
      checkEqual(first.deliveryCount, 1, 'deliveryCount of the first delivery');
      const second = await receiveOne(sent, 'delivery after the lease expired', { waitMs: leaseMs + patienceMs });
      const after = Date.now() - start;
      checkEqual(second.deliveryCount, 2, 'deliveryCount after one expired lease');
      check(after >= leaseMs, `a message leased for ${leaseMs} ms was delivered again after ${after} ms.`);
      await transport.ack(second);
    },
  },
  {
    name: 'extendLease prevents redelivery past the original lease',
    async run({ transport, message, receiveOne, expectNothing, leaseMs, patienceMs }) {
      const lease = 2 * leaseMs;
      const sent = message('extend');
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'message to keep', { leaseMs: lease });
      const received = Date.now();
      await sleep(lease / 2);
      await transport.extendLease(delivery, lease);
      await sleep(received + 1.25 * lease - Date.now());
      await expectNothing(0, `a message ${Date.now() - received} ms into a ${lease} ms lease extended at half time`, { leaseMs: lease });
      const again = await receiveOne(sent, 'message after its extended lease', { leaseMs: lease, waitMs: lease + patienceMs });
      checkEqual(again.deliveryCount, 2, 'deliveryCount after the extended lease expired');
      await transport.ack(again);
    },
  },
  {
    name: 'release makes the message deliverable at once',
    async run({ transport, message, receiveOne, leaseMs }) {
      const sent = message('release');
      await transport.send([sent]);
      const lease = 10 * leaseMs;
      const delivery = await receiveOne(sent, 'message to release', { leaseMs: lease });
      const start = Date.now();
      await transport.release(delivery);
      const again = await receiveOne(sent, 'released message', { leaseMs: lease, waitMs: 5 * leaseMs });
      const after = Date.now() - start;
      check(after < 5 * leaseMs, `a released message came back after ${after} ms; expected at once.`);
      checkEqual(again.deliveryCount, 2, 'deliveryCount after a release');
      await transport.ack(again);
    },
  },
  {
    name: 'retry with a delay redelivers no earlier than the delay, with the new headers and the same body',
    async run({ transport, message, receiveOne, expectNothing, leaseMs, patienceMs }) {
      const delayMs = 2 * leaseMs;
      const sent = message('retry');
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'message to retry');
      const headers = { ...sent.headers, attempt: '2', 'last-error': 'Error: contract test' };
      const start = Date.now();
      await transport.retry(delivery, delayMs, headers);
      await expectNothing(delayMs - 150, 'a retried message before its delay');
      const retried = await receiveOne({ ...sent, headers }, 'retried message', { waitMs: delayMs + patienceMs });
      const after = Date.now() - start;
      check(after >= delayMs, `a message retried with delayMs ${delayMs} was delivered again after ${after} ms.`);
      await transport.ack(retried);
      await expectNothing(leaseMs + 200, 'the retried message after it was acked');
    },
  },
  {
    name: 'retry without a delay makes the message deliverable at once',
    async run({ transport, message, receiveOne, leaseMs }) {
      const sent = message('retry-now');
      await transport.send([sent]);
      const lease = 10 * leaseMs;
      const delivery = await receiveOne(sent, 'message to retry', { leaseMs: lease });
      const headers = { ...sent.headers, attempt: '2' };
      await transport.retry(delivery, 0, headers);
      await transport.ack(await receiveOne({ ...sent, headers }, 'message retried without delay', { leaseMs: lease, waitMs: 5 * leaseMs }));
    },
  },
];
