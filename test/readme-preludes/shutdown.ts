// The worker and transport of "Running a worker".
import type { Worker as PreludeWorker } from 'troopy/worker';
import type { RedisTransport as PreludeRedisTransport } from 'troopy/redis';

declare const worker: PreludeWorker;
declare const invoices: PreludeRedisTransport;
