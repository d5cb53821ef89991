import type { OutgoingMessage, TransportMessage } from '../../transport/transport.js';
import type { NatsConnection } from './connection.js';
import type { NatsNames } from './options.js';
import type { NatsSetup } from './setup.js';
import { deadLetterSubjectOf, redriveMsgId, wireHeaders } from './wire.js';

/** How many publishes of one batch wait for their PubAck at once. */
const IN_FLIGHT = 256;

/** Sends batches to the queue: sets up first if needed, and sets up again after a failed send. */
export class NatsSender {
  readonly #connection: NatsConnection;
  readonly #names: NatsNames;
  readonly #setup: NatsSetup;

  constructor(connection: NatsConnection, names: NatsNames, setup: NatsSetup) {
    this.#connection = connection;
    this.#names = names;
    this.#setup = setup;
  }

  /** Publishes the messages and resolves once JetStream acknowledged all of them (see {@link publishMessages}). */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#setup.ensure();
    await this.#setup.watch(publishMessages(this.#connection, this.#names, messages));
  }
}

/**
 * Publishes `messages`, many at a time, and resolves once JetStream has acknowledged every one
 * (a PubAck); rejects as soon as one fails, and publishes no more of the batch then. A message
 * due later (`notBefore`) goes to the delayed subject. Each is published with its id as
 * `Nats-Msg-Id`, so sending it again within the stream's duplicate window stores it once.
 *
 * Except for a message in the dead letters: a send of its id that JetStream takes for a duplicate
 * (a `FailureStore` redrive within the window of the first send) is published again under the
 * `Nats-Msg-Id` that names the dead letter (see {@link redriveMsgId}), so it is stored; the send
 * resolves only then.
 */
async function publishMessages(connection: NatsConnection, names: NatsNames, messages: readonly OutgoingMessage[]): Promise<void> {
  const now = Date.now();
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < messages.length) {
      const message = messages[next++] as OutgoingMessage;
      const delayed = message.notBefore !== undefined && message.notBefore > now;
      const subject = delayed ? names.delayedSubject : names.subject;
      try {
        const headers = wireHeaders(message, delayed ? message.notBefore : undefined);
        const ack = await connection.publish('send', subject, message.body, headers, message.id);
        if (ack.duplicate) await publishIfDeadLettered(connection, names, message, subject, headers);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, messages.length) }, lane));
}

/**
 * Publishes `message` again (a retry, a delayed message come due, a redriven dead letter):
 * to the delayed subject when `notBefore` is later than now, else to the queue's subject.
 * `msgId` names this copy, so that repeating the same step stores it once.
 */
export async function publishCopy(
  connection: NatsConnection,
  names: NatsNames,
  operation: string,
  message: TransportMessage,
  msgId: string,
  notBefore = 0,
): Promise<void> {
  const delayed = notBefore > Date.now();
  const subject = delayed ? names.delayedSubject : names.subject;
  await connection.publish(operation, subject, message.body, wireHeaders(message, delayed ? notBefore : undefined), msgId);
}

/** Publishes a send that JetStream took for a duplicate again, under the dead letter's redrive id, when its id is in the dead letters. */
async function publishIfDeadLettered(
  connection: NatsConnection,
  names: NatsNames,
  message: TransportMessage,
  subject: string,
  headers: Readonly<Record<string, string>>,
): Promise<void> {
  const letter = await connection.getMessage('send', names.deadLetterStream, { last_by_subj: deadLetterSubjectOf(names, message.id) });
  if (letter !== undefined) await connection.publish('send', subject, message.body, headers, redriveMsgId(letter.seq, message.id));
}
