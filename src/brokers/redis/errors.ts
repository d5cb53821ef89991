/**
 * Thrown (as a rejection) by the first call of a `RedisTransport` that needs a connection when
 * the optional peer `ioredis` cannot be loaded. Nothing is cached: a later call tries again,
 * so installing the package while the process runs is enough.
 */
export class RedisClientMissingError extends Error {
  override name = 'RedisClientMissingError';

  constructor(cause: unknown) {
    super('troopy/redis needs the package "ioredis" (version 5 or newer), which could not be loaded. Install it with `npm install ioredis`.', { cause });
  }
}
