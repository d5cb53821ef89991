/**
 * Kept so that `npx tsx bench/redis-e2e.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=bullmq,troopy]`
 * still works: the Redis end-to-end benchmark is `bench/e2e/brokers/redis.ts` (same flags), on
 * the harness every broker shares. `REDIS_E2E_CPU_PROF=<dir>` is still read, as `E2E_CPU_PROF`.
 */
import redis from './e2e/brokers/redis.js';
import { runWhenMain } from './e2e/command-line.js';

const legacyProfileDir = process.env.REDIS_E2E_CPU_PROF;
if (legacyProfileDir) process.env.E2E_CPU_PROF ??= legacyProfileDir;
runWhenMain(import.meta.url, redis);
