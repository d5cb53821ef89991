// What "Routing" built: the bus and the Redis transport of the invoices.
import type { CommandBus as PreludeBus } from 'troopy';
import type { RedisTransport as PreludeRedisTransport } from 'troopy/redis';

declare const bus: PreludeBus;
declare const invoices: PreludeRedisTransport;
declare const log: { warn(fields: object): void };
declare const id: string;
