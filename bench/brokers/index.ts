/**
 * The end-to-end broker benchmarks `npm run bench` runs after the in-process scenarios: troopy
 * against a bare client loop (and BullMQ or pg-boss) on each broker, producer and worker in
 * separate processes.
 */
import { runRedisEndToEnd } from '../redis-e2e.js';
import { runNatsEndToEnd } from './nats.js';
import { runPostgresEndToEnd } from './postgres.js';
import { runRabbitMqEndToEnd } from './rabbitmq.js';

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
  { id: 'redis', title: 'Redis Streams end to end, against a bare XADD/XREADGROUP/XACK loop and BullMQ', run: runRedisEndToEnd },
  { id: 'rabbitmq', title: 'RabbitMQ end to end, against a bare confirmed-publish / acked-consume loop', run: runRabbitMqEndToEnd },
  { id: 'postgres', title: 'PostgreSQL end to end, against a bare INSERT / SKIP LOCKED loop and pg-boss', run: runPostgresEndToEnd },
  { id: 'nats', title: 'NATS JetStream end to end, against a bare PubAck publish / pull-fetch loop', run: runNatsEndToEnd },
];
