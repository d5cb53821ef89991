import type { RedisConnection } from './connection.js';
import type { ResolvedRedisOptions } from './options.js';

/**
 * Creates the stream and its consumer group unless they exist (`XGROUP CREATE ... MKSTREAM`):
 * idempotent, so every process may run it at start, and a receive runs it again when Redis lost
 * the stream or the group. The group reads from the start of the stream, so messages sent
 * before the first worker started are not missed. The delayed set and the dead-letter stream
 * and index need no setup: Redis creates them on their first write.
 *
 * @throws {TransportUnavailableError} when Redis cannot be reached.
 */
export async function createStreamAndGroup(connection: RedisConnection, { stream, group }: ResolvedRedisOptions): Promise<void> {
  try {
    await connection.call('set up', ['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM']);
  } catch (error) {
    if (!isGroupExisting(error)) throw error;
  }
}

/** Whether Redis answered that the group exists already (BUSYGROUP). */
function isGroupExisting(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

/** Whether Redis answered that the stream or its group is missing (deleted, or Redis restarted without persistence). */
export function isMissingGroup(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOGROUP');
}
