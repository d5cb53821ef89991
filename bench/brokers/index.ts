/**
 * The end-to-end broker benchmarks `npm run bench` runs after the in-process scenarios: troopy
 * against a bare client loop (and BullMQ or pg-boss) on each broker, producer and worker in
 * separate processes. Each is a broker definition in `bench/e2e/brokers/` run by `bench/e2e/harness.ts`.
 */
import nats from '../e2e/brokers/nats.js';
import postgres from '../e2e/brokers/postgres.js';
import rabbitmq from '../e2e/brokers/rabbitmq.js';
import redis from '../e2e/brokers/redis.js';
import { runEndToEnd } from '../e2e/harness.js';

/** Options every broker benchmark takes. */
export interface BrokerBenchOptions {
  readonly messages?: number;
  readonly rounds?: number;
}

/** One broker benchmark: its id on the command line and how to run it. */
export interface BrokerBench {
  readonly id: string;
  readonly title: string;
  readonly run: (options: BrokerBenchOptions) => Promise<{ readonly markdown: string }>;
}

/** Every broker benchmark, in the order they run. */
export const brokerBenches: readonly BrokerBench[] = [
  { id: redis.id, title: 'Redis Streams end to end, against a bare XADD/XREADGROUP/XACK loop and BullMQ', run: (options) => runEndToEnd(redis, options) },
  { id: rabbitmq.id, title: 'RabbitMQ end to end, against a bare confirmed-publish / acked-consume loop', run: (options) => runEndToEnd(rabbitmq, options) },
  { id: postgres.id, title: 'PostgreSQL end to end, against a bare INSERT / SKIP LOCKED loop and pg-boss', run: (options) => runEndToEnd(postgres, options) },
  { id: nats.id, title: 'NATS JetStream end to end, against a bare PubAck publish / pull-fetch loop', run: (options) => runEndToEnd(nats, options) },
];
