import type { DeadLetter, OutgoingMessage } from '../transport/transport.js';
import { FailureStore } from '../worker/failure-store.js';
import { check, checkBytes, checkEqual, checkHeaders, checkList } from './contract-assert.js';
import type { ContractCase } from './contract-kit.js';

function checkLetter(letter: DeadLetter | undefined, sent: OutgoingMessage, what: string): DeadLetter {
  check(letter !== undefined, `${what}: dead letter "${sent.id}" is missing.`);
  checkEqual(letter.id, sent.id, `${what}: id`);
  checkHeaders(letter.headers, sent.headers, `${what}: headers`);
  checkBytes(letter.body, sent.body, `${what}: body`);
  return letter;
}

/** Cases about the dead letters: keeping bytes and headers, one letter per message id, list, get, redrive, remove. */
export const deadLetterCases: readonly ContractCase[] = [
  {
    name: 'deadLetter keeps bytes, headers and reason; get, redrive and remove work on it',
    async run({ transport, message, receiveOne, expectNothing, leaseMs }) {
      const { deadLetters } = transport;
      const sent = message('dead');
      const reason = { code: 'unrecoverable', message: 'contract test: ünïcödé reason' };
      await transport.send([sent]);
      const before = Date.now();
      await transport.deadLetter(await receiveOne(sent, 'message to dead-letter'), reason);
      const after = Date.now();
      await expectNothing(leaseMs + 200, 'a dead-lettered message after its lease');
      const listed = await deadLetters.list();
      checkList(
        listed.map((letter) => letter.id),
        [sent.id],
        'ids in deadLetters.list()',
      );
      const letter = checkLetter(await deadLetters.get(sent.id), sent, 'deadLetters.get()');
      checkLetter(listed[0], sent, 'deadLetters.list()[0]');
      checkEqual(letter.reason.code, reason.code, 'reason code');
      checkEqual(letter.reason.message, reason.message, 'reason message');
      checkEqual(letter.deliveryCount, 1, 'deliveryCount kept with the dead letter');
      check(letter.failedAt >= before - 1_000 && letter.failedAt <= after + 1_000, `failedAt ${letter.failedAt} is not between ${before} and ${after}.`);
      checkEqual(await deadLetters.get(`${sent.id}-missing`), undefined, 'deadLetters.get() of an unknown id');

      checkEqual(await deadLetters.redrive([sent.id, `${sent.id}-missing`]), 1, 'count returned by redrive([id, unknown])');
      checkEqual((await deadLetters.list()).length, 0, 'dead letters left after redriving the only one');
      const redriven = await receiveOne(sent, 'redriven message');
      checkEqual(redriven.deliveryCount, 1, 'deliveryCount of a redriven message');

      await transport.deadLetter(redriven, reason);
      checkEqual(await deadLetters.remove([sent.id]), 1, 'count returned by remove([id])');
      checkEqual(await deadLetters.get(sent.id), undefined, 'deadLetters.get() after remove');
      checkEqual((await deadLetters.list()).length, 0, 'dead letters left after removing the only one');
      checkEqual(await deadLetters.remove([sent.id]), 0, 'count returned by removing it again');
      checkEqual(await deadLetters.redrive([sent.id]), 0, 'count returned by redriving a removed one');
      await expectNothing(0, 'a removed dead letter');
    },
  },
  {
    name: 'deadLetter with headers keeps the bytes and stores those headers instead of the delivered ones',
    async run({ transport, message, receiveOne }) {
      const sent = message('dead-with-headers');
      await transport.send([sent]);
      const headers = { ...sent.headers, attempt: '3', 'error-history': '[{"name":"Error","message":"the last ✗","at":"2024-05-01T00:00:00.000Z"}]' };
      const delivery = await receiveOne(sent, 'message to dead-letter with new headers');
      await transport.deadLetter(delivery, { code: 'max-attempts', message: 'contract test' }, headers);
      const letter = await transport.deadLetters.get(sent.id);
      check(letter !== undefined, `dead letter "${sent.id}" is missing.`);
      checkHeaders(letter.headers, headers, 'headers of a dead letter given new headers');
      checkBytes(letter.body, sent.body, 'body of a dead letter given new headers');
      checkEqual(letter.reason.code, 'max-attempts', 'reason code of a dead letter given new headers');
      checkEqual(await transport.deadLetters.remove([sent.id]), 1, 'count returned by remove([id])');
    },
  },
  {
    name: 'dead-lettering a message id again keeps one dead letter: the later reason, headers and bytes',
    async run({ transport, message, receiveOne }) {
      const { deadLetters } = transport;
      const first = message('dead-twice');
      const second = { ...message('dead-twice-again'), id: first.id };
      await transport.send([first]);
      await transport.deadLetter(await receiveOne(first, 'first message with the id'), { code: 'first', message: 'contract test: the earlier reason' });
      await transport.send([second]);
      await transport.deadLetter(await receiveOne(second, 'second message with the same id'), { code: 'second', message: 'contract test: the later reason' });
      const listed = await deadLetters.list();
      checkList(
        listed.map((letter) => letter.id),
        [first.id],
        'ids in deadLetters.list() after dead-lettering one id twice',
      );
      for (const [letter, what] of [
        [listed[0], 'deadLetters.list()[0]'],
        [await deadLetters.get(first.id), 'deadLetters.get()'],
      ] as const) {
        const kept = checkLetter(letter, second, `${what} of an id dead-lettered twice`);
        checkEqual(kept.reason.code, 'second', `${what}: reason code of an id dead-lettered twice`);
        checkEqual(kept.reason.message, 'contract test: the later reason', `${what}: reason message of an id dead-lettered twice`);
      }
      checkEqual(await deadLetters.remove([first.id]), 1, 'count returned by remove([id]) of an id dead-lettered twice');
      checkEqual((await deadLetters.list()).length, 0, 'dead letters left after removing an id dead-lettered twice');
    },
  },
  {
    name: 'a dead letter redriven at once after its first send is delivered again, through FailureStore and through deadLetters.redrive',
    async run({ transport, message, receiveOne }) {
      const { deadLetters } = transport;
      const sent = message('redrive-at-once');
      const reason = { code: 'max-attempts', message: 'contract test' };
      await transport.send([sent]);
      await transport.deadLetter(await receiveOne(sent, 'first delivery'), reason);
      // A broker that de-duplicates by message id still holds the first send's id here.
      checkEqual(await new FailureStore(transport).redrive([sent.id]), 1, 'count returned by FailureStore.redrive([id]) right after the first send');
      const byFailureStore = await receiveOne(sent, 'message redriven by FailureStore right after its first send');
      checkEqual(await deadLetters.get(sent.id), undefined, 'deadLetters.get() after FailureStore.redrive');
      await transport.deadLetter(byFailureStore, reason);
      checkEqual(await deadLetters.redrive([sent.id]), 1, 'count returned by deadLetters.redrive([id]) right after a redrive');
      const byStore = await receiveOne(sent, 'message redriven by deadLetters.redrive right after the first redrive');
      await transport.deadLetter(byStore, reason);
      checkEqual(await new FailureStore(transport).redrive([sent.id]), 1, 'count returned by a second FailureStore.redrive([id])');
      await transport.ack(await receiveOne(sent, 'message redriven by FailureStore a second time'));
      checkEqual((await deadLetters.list()).length, 0, 'dead letters left after the redrives');
    },
  },
  {
    name: 'dead letters are listed oldest first up to limit; redrive() and remove() take all',
    async run({ transport, message, receive }) {
      const { deadLetters } = transport;
      const sent = ['a', 'b', 'c'].map((label) => message(`dead-${label}`));
      const ids = sent.map((m) => m.id);
      await transport.send(sent);
      const reason = { code: 'max-attempts', message: 'contract test' };
      const collect = async (what: string): Promise<void> => {
        const deliveries = [];
        while (deliveries.length < 3) {
          const more = await receive();
          check(more.length > 0, `${what}: only ${deliveries.length} of 3 messages were delivered.`);
          deliveries.push(...more);
        }
        const byId = new Map(deliveries.map((delivery) => [delivery.id, delivery]));
        for (const id of ids) {
          const delivery = byId.get(id);
          check(delivery !== undefined, `${what}: message "${id}" was not delivered.`);
          await transport.deadLetter(delivery, reason);
        }
      };
      await collect('first deliveries');
      checkList(
        (await deadLetters.list({ limit: 2 })).map((letter) => letter.id),
        ids.slice(0, 2),
        'deadLetters.list({ limit: 2 })',
      );
      checkList(
        (await deadLetters.list()).map((letter) => letter.id),
        ids,
        'deadLetters.list()',
      );
      checkEqual(await deadLetters.redrive(), 3, 'count returned by redrive()');
      await collect('redriven deliveries');
      checkEqual(await deadLetters.remove(), 3, 'count returned by remove()');
      checkEqual((await deadLetters.list()).length, 0, 'dead letters left after remove()');
    },
  },
];
