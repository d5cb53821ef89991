import { EventBus, EventRouter } from 'troopy';
import { NotificationData } from 'mediatr-ts';
import { expectCount, type Scenario } from '../harness.js';
import { startMediator } from '../peers/mediatr.js';
import { startNest } from '../peers/nest.js';

/** mediatr-ts wants its notifications to extend NotificationData (an empty class); troopy and Nest take any class. */
class PriceChanged extends NotificationData {
  constructor(readonly price: number) {
    super();
  }
}

let handled = 0;

/** A subscriber that does a little work and returns a promise, as async subscribers do. */
const subscriber =
  () =>
  async (event: PriceChanged): Promise<void> => {
    handled += event.price > 0 ? 1 : 2;
  };
const first = subscriber();
const second = subscriber();
const third = subscriber();

// Class subscribers for the peers, the same work in `handle`.
class FirstSubscriber {
  async handle(event: PriceChanged): Promise<void> {
    handled += event.price > 0 ? 1 : 2;
  }
}
class SecondSubscriber extends FirstSubscriber {}
class ThirdSubscriber extends FirstSubscriber {}

/** Scenario 4: an event published to three subscribers, awaited. */
export const events: Scenario = {
  id: 'events',
  number: 4,
  title: 'Event published to 3 subscribers, awaited',
  setup: async () => {
    const router = new EventRouter();
    router.subscribe(PriceChanged, first);
    router.subscribe(PriceChanged, second);
    router.subscribe(PriceChanged, third);
    const bus = new EventBus({ router });
    const subscribers = [FirstSubscriber, SecondSubscriber, ThirdSubscriber];
    const nest = await startNest([], [{ event: PriceChanged, handlers: subscribers }]);
    const awaitedEvents = nest.awaitedEvents!;
    const mediator = startMediator({ resolver: 'singleton', notifications: [[PriceChanged, subscribers]] });
    const event = new PriceChanged(9);
    const settled = Promise.resolve();
    return {
      comparisons: [
        {
          title: 'Event to 3 subscribers, awaited',
          target: 1.5,
          verify: expectCount(() => handled, 3),
          subjects: [
            {
              name: 'direct: await Promise.all([a(event), b(event), c(event)])',
              role: 'baseline',
              run: () => Promise.all([first(event), second(event), third(event)]),
            },
            {
              name: 'direct, one after another: await a(event); await b(event); await c(event)',
              role: 'reference',
              run: async () => {
                await first(event);
                await second(event);
                await third(event);
              },
              note: 'not concurrent, so not what a bus does; shown because it is the other way to write the baseline.',
            },
            { name: 'troopy: await EventBus.publish', role: 'troopy', run: () => bus.publish(event) },
            {
              name: '@nestjs/cqrs: await EventBus.publish, awaiting publisher',
              role: 'peer',
              run: () => awaitedEvents.publish(event) as Promise<unknown>,
              note: "a custom eventPublisher that runs the bus's eventOperators and resolves when every handler has (Nest's way to await handlers).",
            },
            {
              name: '@nestjs/cqrs: EventBus.publish, default publisher, then one tick',
              role: 'peer',
              run: () => {
                nest.events.publish(event);
                return settled;
              },
              note: "Nest's default publish starts the handlers and returns nothing to await; the row yields one microtask tick per publish, which lets the handlers finish within the measured time.",
            },
            {
              name: 'mediatr-ts: await Mediator.publish',
              role: 'peer',
              run: () => mediator.publish(event),
              note: 'handler instances reused (singleton resolver).',
            },
          ],
        },
      ],
      close: nest.close,
    };
  },
};
