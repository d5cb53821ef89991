import { Command as PreludeCommand, MessageRouter as PreludeRouter } from 'troopy';
import { messageName as preludeMessageName } from 'troopy/transport';

@preludeMessageName('mail.send-email', { version: 1 })
class SendEmail extends PreludeCommand<Promise<void>> {
  constructor(readonly to: string) {
    super();
  }
}
const router = new PreludeRouter();
router.attach(SendEmail, async () => {});
