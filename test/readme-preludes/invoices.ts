// The main README's SendInvoice, as "Naming messages" declares it.
import { Command as PreludeCommand, MessageRouter as PreludeRouter } from 'troopy';
import { messageName as preludeMessageName } from 'troopy/transport';

@preludeMessageName('billing.send-invoice', { version: 1 })
class SendInvoice extends PreludeCommand<Promise<void>> {
  constructor(
    readonly orderId: string,
    readonly dueAt: Date,
  ) {
    super();
  }
}
const router = new PreludeRouter();
router.attach(SendInvoice, async () => {});
const dueAt = new Date('2027-01-31');
const first = new SendInvoice('A-19', dueAt);
const second = new SendInvoice('A-20', dueAt);
const third = new SendInvoice('A-21', dueAt);
