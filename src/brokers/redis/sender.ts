import type { OutgoingMessage } from '../../transport/transport.js';
import { evalsha, redisScript, type RedisCommand, type RedisConnection } from './connection.js';
import type { RedisDelayedMessages } from './delayed.js';
import { messageFrame } from './wire.js';

/**
 * Adds messages to the stream, one XADD of the `m` field per message frame in ARGV, in order.
 * One script call for a batch costs the client one command instead of one per message.
 */
const addScript = redisScript(`
for i = 1, #ARGV do
  redis.call('XADD', KEYS[1], '*', 'm', ARGV[i])
end
return #ARGV`);

/** The most messages one add script takes, so that one call never holds Redis for long. */
const ADD_BATCH = 500;

/**
 * Sends messages: XADD to the stream, or ZADD to the delayed set for a `notBefore` in the future
 * (compared with this process's clock; Redis's clock decides when it is moved). A batch goes
 * in one pipeline (the XADDs in script calls of up to 500 messages), and the send resolves only
 * after Redis replied to every command.
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
    const commands: RedisCommand[] = [];
    let frames: (string | Buffer)[] = [];
    for (const message of messages) {
      if (message.notBefore !== undefined && message.notBefore > now) {
        commands.push(this.#delayed.scheduleCommand(message, message.notBefore));
        continue;
      }
      frames.push(messageFrame(message));
      if (frames.length === ADD_BATCH) {
        commands.push(evalsha(addScript, [this.#stream], frames));
        frames = [];
      }
    }
    if (frames.length > 0) commands.push(evalsha(addScript, [this.#stream], frames));
    const operation = messages.length === 1 ? 'send a message' : `send ${messages.length} messages`;
    await this.#connection.pipeline(operation, commands);
  }
}
