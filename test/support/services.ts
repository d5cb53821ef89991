import { connect } from 'node:net';

/** Default ports of the brokers troopy's tests use, by URL scheme. */
const defaultPorts: Readonly<Record<string, number>> = {
  'redis:': 6379,
  'rediss:': 6379,
  'amqp:': 5672,
  'postgres:': 5432,
  'postgresql:': 5432,
  'nats:': 4222,
};

/** Resolves with `undefined` when something accepts TCP connections at host:port, else with why not. */
function probe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => {
      done(`no answer within ${timeoutMs} ms`);
    });
    socket.once('connect', () => {
      done(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      done(error.code ?? error.message);
    });
  });
}

/**
 * Checks that a broker a test file needs is reachable, and says what to do when it is not.
 *
 * - reachable: resolves `true`;
 * - unreachable and `process.env.CI` unset: prints a loud warning naming the service, the
 *   address and the reason, and resolves `false`; skip the suite with `describe.skipIf(!ok)`;
 * - unreachable and `CI` set: rejects, so CI fails instead of silently skipping.
 *
 * @example
 * ```ts
 * const redisUp = await requireService('redis', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * describe.skipIf(!redisUp)('RedisTransport', () => { ... });
 * ```
 */
export async function requireService(name: string, url: string, timeoutMs = 1_000): Promise<boolean> {
  const parsed = new URL(url);
  const port = parsed.port === '' ? defaultPorts[parsed.protocol] : Number(parsed.port);
  if (port === undefined) throw new TypeError(`requireService: no default port for ${parsed.protocol} in ${JSON.stringify(url)}; give one.`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const problem = await probe(host, port, timeoutMs);
  if (problem === undefined) return true;
  const where = `${host}:${port}`;
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`${name} is required in CI but nothing answers at ${where} (${problem}). Start ${name} before the tests (see .ci/run).`);
  }
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPING ${name} tests: nothing answers at ${where} (${problem}).\n` +
      `!! Start ${name} to run them; with CI set this is a failure, not a skip.\n${'!'.repeat(78)}\n`,
  );
  return false;
}
