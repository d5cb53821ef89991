import type { AmqpChannel, AmqpMessage, AmqpPublishOptions } from './connection.js';

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

/**
 * Publishes every message on a confirm channel and resolves once the broker has confirmed all
 * of them. Rejects with a {@link PublishFailure} as soon as one is nacked, returned as
 * unroutable (`mandatory`), lost with its channel, or unconfirmed after `timeoutMs`.
 */
export function publishConfirmed(channel: AmqpChannel, publications: readonly Publication[], timeoutMs: number): Promise<void> {
  if (publications.length === 0) return Promise.resolve();
  const returned = returnedOn(channel);
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
    for (const { queue, content, options } of publications) {
      const id = String(options.messageId);
      const confirmed = (error: unknown): void => {
        const times = returned.get(id);
        if (times !== undefined) {
          if (times > 1) returned.set(id, times - 1);
          else returned.delete(id);
          fail(new PublishFailure(queue, `queue "${queue}" does not exist (the message was returned as unroutable)`, true));
          return;
        }
        if (error !== null && error !== undefined) {
          fail(new PublishFailure(queue, error instanceof Error ? error.message : 'the broker did not confirm the message (nack)', false, error));
          return;
        }
        if (--waiting === 0 && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      };
      try {
        channel.publish('', queue, content, options, confirmed);
      } catch (error) {
        fail(new PublishFailure(queue, error instanceof Error ? error.message : String(error), false, error));
        return;
      }
    }
  });
}
