import { TransportUnavailableError } from '../../transport/transport-errors.js';
import { NANOS_PER_MS, type InboundMessage, type InboundSubscription, type NatsConnection } from './connection.js';
import { JetStreamRequestError } from './errors.js';

/** One pull request to a durable pull consumer. */
export interface PullRequest {
  /** The transport's name, for errors. */
  readonly transport: string;
  readonly stream: string;
  readonly consumer: string;
  /** At most this many messages. */
  readonly batch: number;
  /** How long to wait for a first message, in milliseconds; 0 answers at once. */
  readonly waitMs: number;
  /** How long past `waitMs` to wait for the server's answer before giving up. */
  readonly timeoutMs: number;
  /** Aborting any of them resolves the pull at once with what it has. */
  readonly signals: readonly AbortSignal[];
}

/** The longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Pulls up to `batch` messages: waits up to `waitMs` for the first, then takes what is there and
 * ends. It asks JetStream with `no_wait` and `expires` together, which the server (2.9 and
 * later) answers exactly so: the messages, then a 408 status, or a 404 when asked not to wait.
 *
 * A pull given up early (aborted, timed out, connection lost) unsubscribes its inbox, so the
 * server stops sending to it; a message that was already on its way is given back at once
 * (`-NAK`), so it waits for no lease. Its next delivery counts one more.
 *
 * @throws {TransportUnavailableError} when the server does not answer or the connection drops (and nothing was received).
 * @throws {JetStreamRequestError} when JetStream refuses the request (a deleted consumer, too many waiting pulls).
 */
export function pull(connection: NatsConnection, request: PullRequest): Promise<InboundMessage[]> {
  const { transport, stream, consumer, batch, timeoutMs, signals } = request;
  const waitMs = Math.min(Math.max(0, Math.round(request.waitMs)), MAX_TIMER_MS - timeoutMs);
  const operation = 'receive';
  return new Promise((resolve, reject) => {
    const taken: InboundMessage[] = [];
    let done = false;
    let subscription: InboundSubscription | undefined;
    const settle = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      for (const signal of signals) signal.removeEventListener('abort', abort);
      stopWatching();
      if (error !== undefined && taken.length === 0) reject(error);
      else resolve(taken);
    };
    const finish = (error?: Error): void => {
      subscription?.unsubscribe();
      settle(error);
    };
    const abandon = (error?: Error): void => {
      subscription?.drain();
      settle(error);
    };
    const abort = (): void => {
      abandon();
    };
    const guard = setTimeout(() => {
      abandon(
        new TransportUnavailableError(transport, operation, `NATS did not answer a pull from consumer "${consumer}" within ${timeoutMs} ms after its wait`),
      );
    }, waitMs + timeoutMs);
    const stopWatching = connection.onLost(() => {
      abandon(new TransportUnavailableError(transport, operation, 'the connection to NATS was lost during a pull'));
    });
    const onMessage = (message: InboundMessage): void => {
      if (message.status === 0) {
        if (done) {
          giveBack(connection, message);
          return;
        }
        taken.push(message);
        if (taken.length >= batch) finish();
      } else if (message.status === 404 || message.status === 408) {
        finish();
      } else if (message.status !== 100) {
        finish(statusError(transport, stream, consumer, message));
      }
    };
    try {
      const inbox = connection.inbox(operation);
      subscription = connection.subscribe(operation, inbox, onMessage);
      const body = waitMs > 0 ? { batch, no_wait: true, expires: waitMs * NANOS_PER_MS } : { batch, no_wait: true };
      connection.emit(operation, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify(body), inbox);
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const signal of signals) signal.addEventListener('abort', abort, { once: true });
    if (signals.some((signal) => signal.aborted)) abort();
  });
}

/** Gives a message that arrived after its pull ended back to the consumer, for redelivery at once. */
function giveBack(connection: NatsConnection, message: InboundMessage): void {
  try {
    connection.emit('release', message.reply, '-NAK');
  } catch {
    // The connection is down: the message comes back when its lease ends.
  }
}

function statusError(transport: string, stream: string, consumer: string, message: InboundMessage): Error {
  const description = message.description === '' ? `status ${message.status}` : message.description;
  if (message.status === 503) {
    return new TransportUnavailableError(
      transport,
      'receive',
      `JetStream did not answer a pull from consumer "${consumer}" of stream "${stream}" (${description}): the server may be starting, or the consumer was deleted`,
    );
  }
  return new JetStreamRequestError(transport, `receive from consumer "${consumer}" of stream "${stream}"`, 0, description);
}
