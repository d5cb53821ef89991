import type { Pool as PreludePool } from 'pg';
import type { Command as PreludeCommand, CommandBus as PreludeBus } from 'troopy';

declare const pool: PreludePool;
declare const bus: PreludeBus;
declare class SendConfirmation extends PreludeCommand<Promise<void>> {
  constructor(orderId: string);
}
declare const orderId: string;
declare const total: number;
