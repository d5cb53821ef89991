import { describe, expect, it } from 'vitest';
import { TestCommandBus, TestEventBus } from 'troopy/testing';
import { SendWelcomeEmail, UserSignedUp, eventRouter, signUp } from './sign-up.js';

describe('signUp', () => {
  it('sends the welcome email and announces the new user', async () => {
    const bus = new TestCommandBus(); // the handlers of messageRouter, unless stubbed
    bus.stub(SendWelcomeEmail, () => undefined); // no email leaves this test
    const events = new TestEventBus({ router: eventRouter });
    events.stub(UserSignedUp); // record it, run no subscriber

    await signUp({ bus, events }, 'tom', 'tom@example.com');

    expect(bus.dispatched(SendWelcomeEmail)).toEqual([expect.objectContaining({ email: 'tom@example.com' })]);
    expect(events.published(UserSignedUp)).toHaveLength(1);
  });
});
