import type { Delivery } from '../transport/transport.js';
import { check, checkBytes, checkEqual, checkHeaders } from './contract-assert.js';
import type { ContractCase, ContractContext, ForeignMessage } from './contract-kit.js';

/** Receives until `count` deliveries have come, or fails saying how many did. */
async function receiveAll(receive: ContractContext['receive'], count: number, what: string): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  while (deliveries.length < count) {
    const more = await receive();
    check(more.length > 0, `${what}: only ${deliveries.length} of ${count} messages were delivered.`);
    deliveries.push(...more);
  }
  checkEqual(deliveries.length, count, `${what}: number of deliveries`);
  return deliveries;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** The delivery of `expected` among `deliveries`, by its body, with the headers the transport documents. */
function deliveryOf(deliveries: readonly Delivery[], expected: ForeignMessage, what: string): Delivery {
  const delivery = deliveries.find((candidate) => sameBytes(candidate.body, expected.body));
  check(delivery !== undefined, `${what}: nothing was delivered with the body documented for "${expected.shape}".`);
  checkHeaders(delivery.headers, expected.headers, `${what}: headers of "${expected.shape}"`);
  return delivery;
}

/** Cases about messages another producer writes onto the queue (they need `writeForeign`). */
export const foreignCases: readonly ContractCase[] = [
  {
    name: "messages another producer wrote are delivered as documented between troopy's own, and their dead letters keep every byte through a redrive",
    requires: 'writeForeign',
    async run({ transport, message, receive, writeForeign }) {
      check(writeForeign !== undefined, 'the case needs the writeForeign option.');
      const before = message('before-foreign');
      await transport.send([before]);
      const foreign = await writeForeign();
      const after = message('after-foreign');
      await transport.send([after]);
      const deliveries = await receiveAll(receive, foreign.length + 2, 'troopy messages around foreign ones');
      for (const own of [before, after]) {
        const delivery = deliveries.find((candidate) => candidate.id === own.id);
        check(delivery !== undefined, `message "${own.id}" sent around foreign ones was not delivered.`);
        checkHeaders(delivery.headers, own.headers, `headers of "${own.id}" sent around foreign ones`);
        checkBytes(delivery.body, own.body, `body of "${own.id}" sent around foreign ones`);
        await transport.ack(delivery);
      }
      const reason = { code: 'undecodable', message: 'contract test: a foreign message' };
      const ids: string[] = [];
      for (const expected of foreign) {
        const delivery = deliveryOf(deliveries, expected, 'first delivery');
        await transport.deadLetter(delivery, reason);
        const letter = await transport.deadLetters.get(delivery.id);
        check(letter !== undefined, `the dead letter of "${expected.shape}" is missing.`);
        checkHeaders(letter.headers, expected.headers, `dead letter of "${expected.shape}": headers`);
        checkBytes(letter.body, expected.body, `dead letter of "${expected.shape}": body`);
        ids.push(delivery.id);
      }
      checkEqual(await transport.deadLetters.redrive(ids), foreign.length, 'count returned by redriving the foreign dead letters');
      const redriven = await receiveAll(receive, foreign.length, 'redriven foreign messages');
      for (const expected of foreign) await transport.ack(deliveryOf(redriven, expected, 'redriven delivery'));
    },
  },
];
