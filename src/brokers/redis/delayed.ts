import type { TransportMessage } from '../../transport/transport.js';
import { evalsha, redisScript, type RedisCommand, type RedisConnection } from './connection.js';
import { delayedMember, list, text } from './wire.js';

/**
 * Moves due members of the delayed sorted set to the stream, atomically: a member is removed
 * and added to the stream in one script, so two consumers moving at once never duplicate it.
 * Times are Redis's own clock (TIME). Replies `{ moved, next due score or false, now }`.
 * A member is `token \n id \n headers-json \n body` (`delayedMember`), moved as the entry's
 * message frame (all after the token); a member in any other shape is moved whole as the body, so that it
 * reaches the dead letters instead of vanishing.
 */
const promoteScript = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local a = string.find(member, '\\n', 1, true)
  local b = a and string.find(member, '\\n', a + 1, true)
  local c = b and string.find(member, '\\n', b + 1, true)
  if c then
    redis.call('XADD', KEYS[2], '*', 'm', string.sub(member, a + 1))
  else
    redis.call('XADD', KEYS[2], '*', 'body', member)
  end
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
return { #due, next or false, now }
`);

/** The result of one move: how many moved, and in how many ms the next one is due (if any). */
export interface PromoteResult {
  readonly moved: number;
  readonly nextDueInMs: number | undefined;
}

/** Delayed messages of one stream: scheduled in a sorted set, moved to the stream when due. */
export class RedisDelayedMessages {
  readonly #connection: RedisConnection;
  readonly #delayedKey: string;
  readonly #stream: string;

  constructor(connection: RedisConnection, delayedKey: string, stream: string) {
    this.#connection = connection;
    this.#delayedKey = delayedKey;
    this.#stream = stream;
  }

  /** The command that schedules `message` for `dueAt` (epoch ms). */
  scheduleCommand(message: TransportMessage, dueAt: number): RedisCommand {
    return ['ZADD', this.#delayedKey, dueAt, delayedMember(message)];
  }

  /** The EVALSHA that moves up to `limit` due messages (to run in a pipeline). */
  promoteCommand(limit: number): RedisCommand {
    return evalsha(promoteScript, [this.#delayedKey, this.#stream], [limit]);
  }

  /** Moves up to `limit` due messages to the stream now. */
  async promote(limit = 100): Promise<PromoteResult> {
    const [reply] = await this.#connection.pipeline('move due delayed messages', [this.promoteCommand(limit)]);
    return parsePromote(reply);
  }
}

/** Reads the move script's reply. */
export function parsePromote(reply: unknown): PromoteResult {
  const [moved, next, now] = list(reply);
  const nextDue = text(next);
  return {
    moved: Number(moved ?? 0),
    nextDueInMs: nextDue === '' ? undefined : Math.max(0, Number(nextDue) - Number(now)),
  };
}
