import type { Pool as PreludePool } from 'pg';
import type { Command as PreludeCommand, CommandBus as PreludeBus, MessageRouter as PreludeRouter } from 'troopy';

declare const pool: PreludePool;
declare const bus: PreludeBus;
declare const router: PreludeRouter;
declare class ChargeCard extends PreludeCommand<Promise<void>> {
  readonly orderId: string;
  readonly cents: number;
}
declare class SendReceipt extends PreludeCommand<Promise<void>> {
  constructor(orderId: string);
}
