/**
 * A small piece of application code, used by `sign-up.test.ts` (and the README) to show how
 * `troopy/testing` makes an application's tests precise.
 */
import { type CommandBus, EventBus, EventRouter, command } from 'troopy';

/** Sends the welcome email; in production this talks to a mail service. */
export class SendWelcomeEmail {
  constructor(readonly email: string) {}
}
command((message: SendWelcomeEmail) => {
  throw new Error(`the real mailer must not run in tests (to ${message.email})`);
})(SendWelcomeEmail);

/** Announced once a user has signed up. */
export class UserSignedUp {
  constructor(readonly username: string) {}
}

/** The application's event router. */
export const eventRouter = new EventRouter();
eventRouter.subscribe(UserSignedUp, (event) => {
  throw new Error(`the real subscriber must not run in tests (${event.username})`);
});

/** Signs a user up: sends the welcome email, then announces the new user. */
export async function signUp(deps: { bus: CommandBus; events: EventBus }, username: string, email: string): Promise<void> {
  await deps.bus.dispatch(new SendWelcomeEmail(email));
  await deps.events.publish(new UserSignedUp(username));
}
