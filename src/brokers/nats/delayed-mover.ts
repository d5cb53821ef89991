import { backoffDelay } from '../../transport/backoff.js';
import { NANOS_PER_MS, type InboundMessage, type NatsConnection } from './connection.js';
import type { ResolvedNatsOptions } from './options.js';
import { pull } from './pull.js';
import { readReceipt } from './receipt.js';
import { publishCopy } from './sender.js';
import { readNotBefore, readWire } from './wire.js';

/** How long one pull of the delayed consumer waits for a message. */
const PULL_WAIT_MS = 30_000;
/** The pause after failed pulls in a row: full jitter below a ceiling doubling from 100 ms to 1 s. */
const PULL_BACKOFF = { baseMs: 100, capMs: 1_000 } as const;
/** How long a message whose move failed waits before it is tried again. */
const RETRY_MOVE_MS = 1_000;

/**
 * Moves delayed messages to the queue when they come due. JetStream 2.9 cannot publish a message
 * for later, so a delayed message (a `notBefore` send, a retry with a delay) is published to
 * `${subject}.delayed` with its due time in a header. This mover pulls that subject's consumer:
 * a message not yet due is held with a negative acknowledgement delayed until its due time (the
 * server then delivers it again, to any mover, on time and across server restarts); a due one is
 * published to the queue's subject (PubAck awaited) and then acknowledged.
 *
 * The queue's consumer thus sees each message once it is due, with a delivery count that holds
 * only real deliveries. A mover runs in every transport that receives, as long as it is open.
 * A mover that dies between the publish and the acknowledgement leaves the message to be moved
 * again 30 s later, once, since the copy's `Nats-Msg-Id` names the delayed message.
 */
export class DelayedMessageMover {
  readonly #connection: NatsConnection;
  readonly #options: ResolvedNatsOptions;
  readonly #transport: string;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(connection: NatsConnection, options: ResolvedNatsOptions, transport: string) {
    this.#connection = connection;
    this.#options = options;
    this.#transport = transport;
  }

  /** Starts moving, if it has not started yet. */
  start(): void {
    if (this.#stop.signal.aborted) return;
    this.#running ??= this.#run();
  }

  /** Stops moving; resolves once the pull in progress has ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    const { names, timeoutMs } = this.#options;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const messages = await pull(this.#connection, {
          transport: this.#transport,
          stream: names.stream,
          consumer: names.delayedConsumer,
          batch: 100,
          waitMs: PULL_WAIT_MS,
          timeoutMs,
          signals: [signal],
        });
        await Promise.all(messages.map((message) => this.#move(message)));
        failures = 0;
      } catch {
        // The broker is down or starting: health() and the queue's receive report it; try again.
        // No floor: the ceiling doubles with each failure in a row, and even a 0 ms pause yields to the event loop.
        await pause(backoffDelay(++failures, PULL_BACKOFF), signal);
      }
    }
  }

  async #move(message: InboundMessage): Promise<void> {
    const wait = readNotBefore(message.headers) - Date.now();
    try {
      if (wait > 0) {
        this.#hold(message, wait);
        return;
      }
      const sequence = readReceipt(message.reply)?.streamSeq ?? 0;
      const { id, headers } = readWire(message.headers, `nats:${this.#options.names.stream}:${sequence}`);
      await publishCopy(this.#connection, this.#options.names, 'move a due message', { id, headers, body: message.data }, `troopy-due-${sequence}`);
      this.#connection.emit('move a due message', message.reply, '+ACK');
    } catch {
      try {
        this.#hold(message, RETRY_MOVE_MS);
      } catch {
        // The connection is down: the message comes back when its AckWait ends.
      }
    }
  }

  #hold(message: InboundMessage, delayMs: number): void {
    this.#connection.emit('hold a delayed message', message.reply, `-NAK ${JSON.stringify({ delay: Math.ceil(delayMs) * NANOS_PER_MS })}`);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
