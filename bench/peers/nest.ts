/**
 * @nestjs/cqrs set up for the benchmarks: a real Nest application context with CqrsModule, its
 * CommandBus and EventBus taken from the container, handlers discovered by Nest's own explorer.
 *
 * Why there is no decorator syntax here: `npm run bench` runs TypeScript through tsx (esbuild),
 * which cannot emit `design:paramtypes` metadata, and this project compiles standard (TC39)
 * decorators, while Nest's decorators are legacy ones. So the decorators are applied as plain
 * function calls, `CommandHandler(Command)(Handler)`, which is exactly what the legacy
 * decorator syntax compiles to. Nest's DI needs `design:paramtypes` only to inject constructor
 * parameters; the handlers here have none, and CqrsModule's own classes carry the metadata its
 * published build emitted. Everything else (explorer, binding, publishing) is Nest's.
 */
import { Injectable, Module, Scope, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CommandHandler, CqrsModule, EventBus, EventsHandler, type EventOperator, type IEvent, type IEventPublisher } from '@nestjs/cqrs';
import { lastValueFrom, of } from 'rxjs';

/** A command class and the class that handles it. */
export interface NestCommandRoute {
  readonly command: Type;
  readonly handler: Type;
  /** A new handler instance per command, through Nest's request scope. @default false */
  readonly requestScoped?: boolean;
}

/** An event class and the classes that handle it. */
export interface NestEventRoute {
  readonly event: Type;
  readonly handlers: readonly Type[];
}

/** The buses of a running Nest application context. */
export interface NestBuses {
  readonly commands: CommandBus;
  readonly events: EventBus;
  /**
   * An EventBus (of a second context, started only when there are events) whose `publish`
   * returns a promise that settles when every handler has.
   */
  readonly awaitedEvents: EventBus | undefined;
  readonly close: () => Promise<void>;
}

/**
 * Publishes an event through the bus's own event operators (the handler bindings Nest built)
 * and resolves once every operator's stream has completed, that is once every handler's
 * promise has settled. This is the way @nestjs/cqrs 11+ lets an application await handlers
 * (a custom `eventPublisher` given the bus's `eventOperators`); the default publisher only
 * starts them.
 */
export class AwaitingPublisher implements IEventPublisher {
  #operators: readonly EventOperator[] = [];

  useOperators(operators: readonly EventOperator[]): void {
    this.#operators = operators;
  }

  publish(event: IEvent): Promise<unknown[]> {
    const event$ = of(event);
    return Promise.all(this.#operators.map((operator) => lastValueFrom(event$.pipe(operator), { defaultValue: undefined })));
  }
}

async function context(providers: readonly Type[], options: Parameters<typeof CqrsModule.forRoot>[0]): Promise<INestApplicationContext> {
  class BenchModule {}
  Module({ imports: [CqrsModule.forRoot(options)], providers: [...providers] })(BenchModule);
  // Nest types these options as a class it does not export; every Nest application passes a literal.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  return app;
}

/** Starts Nest application contexts holding the given handlers. */
export async function startNest(commands: readonly NestCommandRoute[], events: readonly NestEventRoute[] = []): Promise<NestBuses> {
  const providers: Type[] = [];
  for (const route of commands) {
    CommandHandler(route.command, route.requestScoped === true ? { scope: Scope.REQUEST } : undefined)(route.handler);
    if (route.requestScoped !== true) Injectable()(route.handler);
    providers.push(route.handler);
  }
  for (const route of events) {
    for (const handler of route.handlers) {
      EventsHandler(route.event)(handler);
      Injectable()(handler);
      providers.push(handler);
    }
  }
  const plain = await context(providers, undefined);
  // A second context with the awaiting publisher, so that the first one's EventBus stays default.
  const publisher = new AwaitingPublisher();
  const awaiting = events.length === 0 ? undefined : await context(providers, { eventPublisher: publisher });
  const awaitedEvents = awaiting?.get(EventBus);
  if (awaitedEvents !== undefined) publisher.useOperators(awaitedEvents.eventOperators);
  return {
    commands: plain.get(CommandBus),
    events: plain.get(EventBus),
    awaitedEvents,
    close: async () => {
      await plain.close();
      await awaiting?.close();
    },
  };
}
