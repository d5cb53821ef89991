/**
 * mediatr-ts set up for the benchmarks.
 *
 * mediatr-ts keeps its handlers and pipeline behaviours in a module-global registry: every
 * behaviour wraps every `send` in the process, and nothing can be unregistered. That is why
 * each scenario runs in its own process (see run.ts). Its decorators are plain one-argument
 * class decorators, so they are applied here as ordinary calls.
 */
import { Mediator, notificationHandler, pipelineBehavior, type Class, type NotificationData, type RequestData, type Resolver } from 'mediatr-ts';

/**
 * A resolver that builds each handler and behaviour class once and reuses the instance: the
 * fastest way to run mediatr-ts, used wherever troopy's row does not build handlers either.
 */
export class SingletonResolver implements Resolver {
  readonly #instances = new Map<Class<unknown>, unknown>();

  resolve<T>(type: Class<T>): T {
    let instance = this.#instances.get(type) as T | undefined;
    if (instance === undefined) {
      instance = new type();
      this.#instances.set(type, instance);
    }
    return instance;
  }

  add(): void {}
}

/** What a mediator is built with. */
export interface MediatorSetup {
  /**
   * Request classes and the handler class of each. mediatr-ts only compares the class at run
   * time, so the benchmarks send the same command classes as troopy (not `RequestData` ones).
   */
  readonly requests?: readonly (readonly [request: abstract new (...args: never[]) => object, handler: Class<unknown>])[];
  /** Notification classes and their handler classes. */
  readonly notifications?: readonly (readonly [notification: abstract new (...args: never[]) => object, handlers: readonly Class<unknown>[]])[];
  /** Pipeline behaviour classes, outermost first; they wrap every request of the process. */
  readonly behaviors?: readonly Class<unknown>[];
  /** `per-call` is mediatr-ts's default (a `new` on every resolve); `singleton` reuses instances. */
  readonly resolver: 'singleton' | 'per-call';
}

/** Builds a mediator with the given registrations. */
export function startMediator(setup: MediatorSetup): Mediator {
  const mediator = new Mediator(setup.resolver === 'singleton' ? { resolver: new SingletonResolver() } : undefined);
  for (const [request, handler] of setup.requests ?? []) {
    mediator.registerHandler(request as unknown as Class<RequestData<unknown>>, handler as Class<never>);
  }
  for (const [notification, handlers] of setup.notifications ?? []) {
    for (const handler of handlers) notificationHandler(notification as unknown as Class<NotificationData>)(handler);
  }
  for (const behavior of setup.behaviors ?? []) pipelineBehavior()(behavior);
  return mediator;
}
