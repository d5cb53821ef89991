/**
 * Events: any number of subscribers per event class.
 *
 * Where a command has exactly one handler, an event published on an `EventBus` reaches every
 * subscriber of its class on the `EventRouter`: functions, classes (built through the bus's
 * handler factory on each publish) and objects with a `handle` method. A failing subscriber
 * does not stop the others: they all run to the end, and `publish` then rejects with an
 * `AggregateError` holding every failure. `subscribe` returns a function that unsubscribes.
 *
 * Run alone: npx tsx examples/events.ts
 */
import { EventBus, EventRouter } from 'troopy';
import { defineExample } from './support.js';

class UserSignedUp {
  constructor(
    readonly username: string,
    readonly email: string,
  ) {}
}

/** A function subscriber; async, so it runs alongside the others. */
async function sendWelcomeEmail(event: UserSignedUp): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (!event.email.includes('@')) throw new Error(`cannot send a welcome e-mail to "${event.email}"`);
  console.log(`  [email] welcome mail sent to ${event.email}`);
}

/** A class subscriber: the event bus builds a new instance for every publish. */
class SyncToCrm {
  handle(event: UserSignedUp): void {
    if (event.username === 'bob') throw new Error('the CRM rejected bob: duplicate contact');
    console.log(`  [crm] ${event.username} added`);
  }
}

export async function run(): Promise<void> {
  const signUps: string[] = [];
  /** An object subscriber: its `handle` is called with `this` bound to it. */
  const statistics = {
    handle(event: UserSignedUp): void {
      signUps.push(event.username);
      console.log(`  [stats] sign-ups so far: ${signUps.join(', ')}`);
    },
  };

  const router = new EventRouter();
  router.subscribe(UserSignedUp, sendWelcomeEmail);
  router.subscribe(UserSignedUp, SyncToCrm);
  router.subscribe(UserSignedUp, statistics);
  const events = new EventBus({ router });

  console.log('publish UserSignedUp(tom): every subscriber succeeds');
  await events.publish(new UserSignedUp('tom', 'tom@example.com'));

  console.log('publish UserSignedUp(bob): two subscribers fail, the third still runs');
  try {
    await events.publish(new UserSignedUp('bob', 'bob-at-example'));
  } catch (error) {
    if (!(error instanceof AggregateError)) throw error;
    console.log(`AggregateError with ${error.errors.length} errors: ${error.message}`);
    const failures: readonly unknown[] = error.errors;
    for (const failure of failures) console.log(`  - ${failure instanceof Error ? failure.message : String(failure)}`);
  }

  const unsubscribe = router.subscribe(UserSignedUp, (event) => console.log(`  [audit] ${event.username} signed up`));
  await events.publish(new UserSignedUp('ann', 'ann@example.com'));
  unsubscribe();
  console.log(`after unsubscribe, ${router.findFor(new UserSignedUp('x', 'x@example.com')).length} subscribers remain`);
}

export const example = defineExample(import.meta.url, 'EventRouter and EventBus: many subscribers, failures collected in an AggregateError', run);
