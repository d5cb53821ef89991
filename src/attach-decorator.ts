import type { ResultOf } from './command.js';
import { checkRouter } from './bus-options.js';
import { describe, isClass } from './describe.js';
import type { AnyHandler, HandlerResultOf, MessageOf } from './handler.js';
import { MessageRouter, messageRouter } from './message-router.js';

/** Compile-time message shown when a handler's result does not fit the command's declared result. */
export interface HandlerResultMismatch<Declared, Returned> {
  /** The command declares this result type through `Command<R>`. */
  readonly declaredResult: Declared;
  /** The handler returns this type, which does not fit. */
  readonly handlerReturns: Returned;
}

/**
 * A class decorator that attaches the decorated class to a handler. It accepts only classes
 * whose instances the handler accepts, and whose declared result the handler's result fits.
 */
export type AttachDecorator<H> = <C extends abstract new (...args: never[]) => MessageOf<H> & object>(
  target: [HandlerResultOf<H>] extends [ResultOf<InstanceType<C>>] ? C : HandlerResultMismatch<ResultOf<InstanceType<C>>, HandlerResultOf<H>>,
  context?: ClassDecoratorContext,
) => C;

/**
 * Makes a `command`-style decorator that attaches to the given router.
 *
 * @throws {TypeError} when `router` is not a MessageRouter.
 * @example
 * const router = new MessageRouter();
 * const handledBy = createAttachDecorator(router);
 * @handledBy(HelloHandler) class SayHello {}
 */
export function createAttachDecorator(router: MessageRouter): <H extends AnyHandler>(handler: H) => AttachDecorator<H> {
  checkRouter(router, MessageRouter, 'createAttachDecorator');
  return (handler) =>
    ((target: unknown, context?: unknown) => {
      const kind = (context as { kind?: unknown } | undefined)?.kind;
      if (!isClass(target) || (context !== undefined && kind !== 'class')) {
        throw new TypeError(
          `@command(handler) expects a class to decorate; got ${kind === undefined ? describe(target) : `a ${typeof kind === 'string' ? kind : typeof kind}`}.`,
        );
      }
      router.attach(target, handler as never);
      return target;
    }) as AttachDecorator<typeof handler>;
}

/**
 * Attaches the decorated command class to `handler` on the default {@link messageRouter}.
 * Works under TypeScript's standard decorators, under `experimentalDecorators`, and as a plain
 * call from JavaScript; returns the class unchanged.
 *
 * @throws {TypeError} when applied to anything but a class, or when `handler` is not a handler.
 * @throws {HandlerAlreadyAttachedError} when the class already has a handler.
 * @example
 * @command(HelloHandler)
 * class SayHello { constructor(readonly username: string) {} }
 */
export const command: <H extends AnyHandler>(handler: H) => AttachDecorator<H> = createAttachDecorator(messageRouter);
