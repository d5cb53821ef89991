/**
 * The one lazy client loader of the broker adapters: returns a function that imports the
 * client library on its first call, so that only the users of a broker need its package
 * installed. Calls made while the import is pending share it; a failed import is forgotten (a
 * later call tries again, after the package was installed) and rejects with `missing(cause)`.
 *
 * @param load imports the library and picks what the adapter needs from it.
 * @param missing the adapter's `...ClientMissingError` for the import's error.
 * @example
 * const loadRedis = lazyClient(async () => (await import('ioredis')).Redis, (cause) => new RedisClientMissingError(cause));
 * const Redis = await loadRedis();
 */
export function lazyClient<T>(load: () => Promise<T>, missing: (cause: unknown) => Error): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= (async () => {
      try {
        return await load();
      } catch (cause) {
        loading = undefined;
        throw missing(cause);
      }
    })());
}
