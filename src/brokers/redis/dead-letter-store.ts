import type { DeadLetter, DeadLetterStore } from '../../transport/transport.js';
import { deadLetterLimit } from '../../transport/dead-letter-limit.js';
import { redisScript, type RedisConnection } from './connection.js';
import { deadLetterOf, list, luaField, luaFrame, parseEntry, text } from './wire.js';
import type { ResolvedRedisOptions } from './options.js';

/**
 * Redrives (ARGV[1] = 'redrive': back on the queue stream as a new entry, headers and bytes as
 * they were, in one `m` field) or removes dead-letter entries by entry id, each in one step with its index entry.
 */
const applyScript = redisScript(`${luaField}${luaFrame}
local n = 0
for i = 2, #ARGV do
  local entry = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
  if entry then
    local id = field(entry[2], 'id') or ''
    if ARGV[1] == 'redrive' then
      local safeId = string.gsub(id, '[\\r\\n]', ' ')
      redis.call('XADD', KEYS[3], '*', 'm', frame(safeId, field(entry[2], 'headers') or '{}', field(entry[2], 'body') or ''))
    end
    redis.call('XDEL', KEYS[1], ARGV[i])
    if redis.call('HGET', KEYS[2], id) == ARGV[i] then redis.call('HDEL', KEYS[2], id) end
    n = n + 1
  end
end
return n`);

const PAGE = 100;

/** The dead letters of a {@link RedisTransport}: a stream, plus a hash from message id to entry. */
export class RedisDeadLetterStore implements DeadLetterStore {
  readonly #connection: RedisConnection;
  readonly #options: ResolvedRedisOptions;

  /** @internal Built by the transport, which owns the connection. */
  constructor(connection: RedisConnection, options: ResolvedRedisOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  /** Dead letters, oldest first, at most `limit` (default 100). @throws {TypeError} for a bad limit. */
  async list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]> {
    const limit = deadLetterLimit(`RedisTransport(${this.#options.stream})`, options);
    return this.#range('-', '+', limit);
  }

  /** One dead letter by message id, or `undefined`. */
  async get(id: string): Promise<DeadLetter | undefined> {
    const entryId = text(await this.#connection.call('get a dead letter', ['HGET', this.#options.deadLetterIndex, id]));
    if (entryId === '') return undefined;
    const [letter] = await this.#range(entryId, entryId, 1);
    return letter;
  }

  /** Puts the given dead letters (or all) back on the queue as new messages; returns how many. */
  redrive(ids?: readonly string[]): Promise<number> {
    return this.#apply('redrive', ids);
  }

  /** Deletes the given dead letters (or all); returns how many. */
  remove(ids?: readonly string[]): Promise<number> {
    return this.#apply('remove', ids);
  }

  async #range(from: string, to: string, count: number): Promise<DeadLetter[]> {
    const reply = await this.#connection.call('list dead letters', ['XRANGE', this.#options.deadLetterStream, from, to, 'COUNT', count]);
    return list(reply).flatMap((entry) => {
      const parsed = parseEntry(entry);
      return parsed === undefined ? [] : [deadLetterOf(parsed)];
    });
  }

  async #apply(mode: 'redrive' | 'remove', ids: readonly string[] | undefined): Promise<number> {
    const { deadLetterStream, deadLetterIndex, stream } = this.#options;
    const run = async (entryIds: string[]): Promise<number> =>
      entryIds.length === 0
        ? 0
        : Number(await this.#connection.script(`${mode} dead letters`, applyScript, [deadLetterStream, deadLetterIndex, stream], [mode, ...entryIds]));
    if (ids !== undefined) {
      if (ids.length === 0) return 0;
      const found = list(await this.#connection.call(`${mode} dead letters`, ['HMGET', deadLetterIndex, ...ids]));
      return run(found.map(text).filter((entryId) => entryId !== ''));
    }
    let total = 0;
    for (;;) {
      const page = list(await this.#connection.call(`${mode} dead letters`, ['XRANGE', deadLetterStream, '-', '+', 'COUNT', PAGE]));
      const done = await run(page.map((entry) => text(list(entry)[0])));
      total += done;
      if (done === 0) return total;
    }
  }
}
