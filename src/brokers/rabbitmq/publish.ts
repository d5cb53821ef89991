import { coalesceWrites, type AmqpChannel, type AmqpMessage, type AmqpPublishOptions } from './connection.js';

/** One message to publish to a queue through the default exchange. */
export interface Publication {
  readonly queue: string;
  readonly content: Buffer;
  readonly options: AmqpPublishOptions;
}

/** Why a publish was not confirmed; `returned` when the broker had no queue for it. */
export class PublishFailure extends Error {
  override name = 'PublishFailure';
  readonly queue: string;
  readonly returned: boolean;

  constructor(queue: string, detail: string, returned: boolean, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
    this.queue = queue;
    this.returned = returned;
  }
}

/** Message ids returned as unroutable, per channel, until their confirm arrives. */
const returns = new WeakMap<AmqpChannel, Map<string, number>>();

function returnedOn(channel: AmqpChannel): Map<string, number> {
  let returned = returns.get(channel);
  if (returned === undefined) {
    const map = new Map<string, number>();
    // The broker sends basic.return before the basic.ack of the same message.
    channel.on('return', (message: AmqpMessage) => {
      const id = String(message.properties.messageId);
      map.set(id, (map.get(id) ?? 0) + 1);
    });
    returns.set(channel, (returned = map));
  }
  return returned;
}

/** amqplib's error for a basic.nack, as opposed to a closed channel. */
const NACKED = 'message nacked';

/**
 * Publishes every message on a confirm channel and waits for the broker's answer to each.
 * Resolves with the publications the broker nacked (empty when it confirmed all). Rejects with
 * a {@link PublishFailure} as soon as one is returned as unroutable (`mandatory`) or lost with
 * its channel, or when some are still unanswered after `timeoutMs`.
 */
export function publishConfirmed(channel: AmqpChannel, publications: readonly Publication[], timeoutMs: number): Promise<Publication[]> {
  if (publications.length === 0) return Promise.resolve([]);
  const returned = returnedOn(channel);
  const nacked: Publication[] = [];
  return new Promise((resolve, reject) => {
    let waiting = publications.length;
    let settled = false;
    const fail = (failure: PublishFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
    };
    const timer = setTimeout(() => {
      fail(new PublishFailure(publications[0]?.queue ?? '', `no publisher confirm within ${timeoutMs} ms`, false));
    }, timeoutMs);
    const confirmed = (publication: Publication, error: unknown): void => {
      const { queue } = publication;
      const times = returned.size === 0 ? undefined : returned.get(String(publication.options.messageId));
      if (times !== undefined) {
        const id = String(publication.options.messageId);
        if (times > 1) returned.set(id, times - 1);
        else returned.delete(id);
        fail(new PublishFailure(queue, `queue "${queue}" does not exist (the message was returned as unroutable)`, true));
        return;
      }
      if (error instanceof Error && error.message === NACKED) {
        nacked.push(publication);
      } else if (error !== null && error !== undefined) {
        fail(new PublishFailure(queue, error instanceof Error ? error.message : 'the channel failed', false, error));
        return;
      }
      if (--waiting === 0 && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(nacked);
      }
    };
    for (const publication of publications) {
      try {
        // An inline callback, not a named one: tsx/esbuild would name every closure made per message.
        channel.publish('', publication.queue, publication.content, publication.options, (error: unknown) => {
          confirmed(publication, error);
        });
      } catch (error) {
        fail(new PublishFailure(publication.queue, error instanceof Error ? error.message : 'the channel failed', false, error));
        return;
      }
    }
    coalesceWrites(channel);
  });
}
