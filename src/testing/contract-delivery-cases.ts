import type { Delivery } from '../transport/transport.js';
import { check, checkEqual, checkHeaders, checkList } from './contract-assert.js';
import { sleep, type ContractCase } from './contract-kit.js';

/** Cases about sending and receiving: round trip, batches, `max`, waiting, delays, setup. */
export const deliveryCases: readonly ContractCase[] = [
  {
    name: 'a message round-trips with identical headers and body bytes',
    async run({ transport, message, receiveOne }) {
      const sent = message('round-trip');
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'round trip');
      checkEqual(delivery.deliveryCount, 1, 'deliveryCount of a first delivery');
      await transport.ack(delivery);
    },
  },
  {
    name: 'headers named like Object.prototype members (__proto__, constructor, toString) round-trip as sent, into the dead letters too',
    async run({ transport, message, receiveOne }) {
      // JSON.parse makes "__proto__" an own property, as a header read from the wire is.
      const headers = JSON.parse('{"__proto__":"x","constructor":"c","toString":"t","hasOwnProperty":"h","valueOf":"","k":"v"}') as Record<string, string>;
      const sent = message('prototype-names', { headers });
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'message with headers named like Object.prototype members');
      await transport.deadLetter(delivery, { code: 'unrecoverable', message: 'contract test' });
      const letter = await transport.deadLetters.get(sent.id);
      check(letter !== undefined, `dead letter "${sent.id}" is missing.`);
      checkHeaders(letter.headers, headers, 'headers of the dead letter of a message with headers named like Object.prototype members');
      checkEqual(await transport.deadLetters.redrive([sent.id]), 1, 'count returned by redrive([id])');
      await transport.ack(await receiveOne(sent, 'redriven message with headers named like Object.prototype members'));
    },
  },
  {
    name: 'a batch send of 50 messages arrives complete, each once',
    async run({ transport, message, receive, patienceMs }) {
      const sent = Array.from({ length: 50 }, (_, index) => message(`batch-${index}`));
      await transport.send(sent);
      const seen: string[] = [];
      const deadline = Date.now() + patienceMs;
      while (seen.length < sent.length && Date.now() < deadline) {
        const deliveries = await receive({ max: 20, waitMs: Math.max(0, deadline - Date.now()) });
        for (const delivery of deliveries) {
          seen.push(delivery.id);
          await transport.ack(delivery);
        }
      }
      checkList([...seen].sort(), sent.map((m) => m.id).sort(), 'ids delivered from a batch of 50');
      const extra = await receive({ waitMs: 0 });
      checkEqual(extra.length, 0, 'deliveries left after the whole batch was acked');
    },
  },
  {
    name: 'receive returns at most max deliveries',
    async run({ transport, message, receive }) {
      await transport.send(Array.from({ length: 5 }, (_, index) => message(`max-${index}`)));
      const first = await receive({ max: 2 });
      check(first.length >= 1 && first.length <= 2, `receive({ max: 2 }) with 5 waiting returned ${first.length} deliveries.`);
      const rest: Delivery[] = [];
      while (first.length + rest.length < 5) {
        const more = await receive({ max: 10 });
        if (more.length === 0) break;
        rest.push(...more);
      }
      const ids = new Set([...first, ...rest].map((delivery) => delivery.id));
      checkEqual(ids.size, 5, 'distinct messages received in total');
    },
  },
  {
    name: 'a waiting receive resolves as soon as a message is sent',
    async run({ transport, message, receive }) {
      const sent = message('wake-up');
      const pending = receive({ waitMs: 10_000 });
      await sleep(150);
      const sentAt = Date.now();
      await transport.send([sent]);
      const deliveries = await pending;
      const waited = Date.now() - sentAt;
      checkList(
        deliveries.map((delivery) => delivery.id),
        [sent.id],
        'ids delivered to the waiting receive',
      );
      check(waited < 1_000, `the waiting receive resolved ${waited} ms after the send; expected well under 1,000 ms.`);
    },
  },
  {
    name: 'a receive with nothing to deliver waits about waitMs, then resolves with none',
    async run({ receive }) {
      const started = Date.now();
      const deliveries = await receive({ waitMs: 300 });
      const waited = Date.now() - started;
      checkEqual(deliveries.length, 0, 'deliveries from an empty queue');
      check(waited >= 290, `receive({ waitMs: 300 }) on an empty queue resolved after ${waited} ms; it must wait.`);
      check(waited < 2_000, `receive({ waitMs: 300 }) on an empty queue took ${waited} ms.`);
    },
  },
  {
    name: 'notBefore delays delivery; a notBefore in the past delivers at once',
    async run({ transport, message, receiveOne, expectNothing, leaseMs, patienceMs }) {
      const delayMs = 2 * leaseMs;
      const start = Date.now();
      const later = message('not-before', { notBefore: start + delayMs });
      const now = message('not-before-past', { notBefore: start - 60_000 });
      await transport.send([later, now]);
      await transport.ack(await receiveOne(now, 'message with a past notBefore', { waitMs: delayMs / 2 }));
      await expectNothing(start + delayMs - 150 - Date.now(), 'message before its notBefore');
      const delivery = await receiveOne(later, 'message after its notBefore', { waitMs: delayMs + patienceMs });
      const at = Date.now() - start;
      check(at >= delayMs, `a message with notBefore ${delayMs} ms ahead was delivered after ${at} ms.`);
      await transport.ack(delivery);
    },
  },
  {
    name: 'setup is idempotent and does not reset leases',
    async run({ transport, message, receiveOne, expectNothing, leaseMs }) {
      await Promise.all([transport.setup(), transport.setup()]);
      await transport.setup();
      const sent = message('setup');
      await transport.send([sent]);
      const delivery = await receiveOne(sent, 'message after repeated setup');
      await transport.setup();
      await expectNothing(leaseMs / 2, 'a leased message after another setup');
      await transport.ack(delivery);
    },
  },
];
