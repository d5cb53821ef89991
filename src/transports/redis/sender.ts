import type { OutgoingMessage } from '../../transport/transport.js';
import type { RedisCommand, RedisConnection } from './connection.js';
import type { RedisDelayedMessages } from './delayed.js';
import { messageFields } from './entries.js';

/**
 * Sends messages: XADD to the stream, or ZADD to the delayed set for a `notBefore` in the future
 * (compared with this process's clock; Redis's clock decides when it is moved). A batch goes
 * in one pipeline, and the send resolves only after Redis replied to every command.
 */
export class RedisSender {
  readonly #connection: RedisConnection;
  readonly #stream: string;
  readonly #delayed: RedisDelayedMessages;

  constructor(connection: RedisConnection, stream: string, delayed: RedisDelayedMessages) {
    this.#connection = connection;
    this.#stream = stream;
    this.#delayed = delayed;
  }

  /** Sends the messages; rejects if Redis refused or did not confirm any of them. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const commands = messages.map((message): RedisCommand =>
      message.notBefore !== undefined && message.notBefore > now
        ? this.#delayed.scheduleCommand(message, message.notBefore)
        : ['XADD', this.#stream, '*', ...messageFields(message)],
    );
    const operation = messages.length === 1 ? 'send a message' : `send ${messages.length} messages`;
    await this.#connection.pipeline(operation, commands);
  }
}
