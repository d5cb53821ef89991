import { nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import type { SendReceipt } from './send-receipt.js';

/** Thrown (as a rejection) by `Sender.send` for a command whose class is not routed to any transport. */
export class NoTransportRouteError extends Error {
  override name = 'NoTransportRouteError';

  /** The class that has no route. */
  readonly messageClass: MessageClass;

  constructor(messageClass: MessageClass) {
    const name = nameOf(messageClass);
    super(
      `${name} is not routed to any transport, so it cannot be sent. ` +
        `Add [${name}, transport] to the routes of this Sender, or dispatch it to be handled in this process.`,
    );
    this.messageClass = messageClass;
  }
}

/**
 * Thrown (as a rejection) by `Sender.sendBatch` when a batch spanning several transports was
 * only partly sent. `receipts` lists what was confirmed; `errors` holds why the rest was not.
 * Sending the whole batch again can duplicate the confirmed commands, never lose any.
 */
export class SendBatchError extends AggregateError {
  override name = 'SendBatchError';

  /** The commands that were confirmed, in batch order (a hole for each one that was not). */
  readonly receipts: readonly (SendReceipt | undefined)[];

  constructor(errors: readonly unknown[], receipts: readonly (SendReceipt | undefined)[]) {
    const failed = receipts.filter((receipt) => receipt === undefined).length;
    super(
      errors,
      `${failed} of ${receipts.length} commands of the batch were not sent: ${errors.map((error) => (error instanceof Error ? error.message : String(error))).join(' | ')} ` +
        'The others were confirmed (see receipts); send only the missing ones again to avoid duplicates.',
    );
    this.receipts = receipts;
  }
}
