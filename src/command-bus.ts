import { checkOptions, checkRouter, constructHandler } from './bus-options.js';
import type { ResultOf } from './command.js';
import type { DispatchContext } from './context.js';
import { describe } from './describe.js';
import { NoHandlerAttachedError } from './errors.js';
import type { HandlerFactory } from './handler.js';
import { MessageRouter, messageRouter, type MessageClass } from './message-router.js';
import { checkMiddleware, compose, type Middleware, type Pipeline } from './middleware.js';
import { invoke } from './route.js';

/** Options of {@link CommandBus}. */
export interface CommandBusOptions {
  /** Where handlers are looked up. @default messageRouter (the one `@command` attaches to) */
  router?: MessageRouter | undefined;
  /** Builds class handlers on each dispatch. @default (HandlerClass) => new HandlerClass() */
  handlerFactory?: HandlerFactory | undefined;
  /** Run around each dispatch, first outermost. @default [] */
  middleware?: readonly Middleware[] | undefined;
}

/**
 * What `dispatch` returns for a command: exactly the handler's result on a bus without
 * middleware (`Sync` is `true`), or either that or a promise of it when middleware may await.
 */
export type DispatchResult<M, Sync extends boolean> = Sync extends true ? ResultOf<M> : ResultOf<M> | Promise<Awaited<ResultOf<M>>>;

/**
 * Dispatches each command to the one handler attached to its class and returns the handler's
 * result unchanged: a synchronous value stays synchronous, a promise is returned as it is, and a
 * handler's error reaches the caller unwrapped.
 *
 * `Sync` is `true` for a bus built without middleware, whose results are typed exactly as the
 * handlers return them; with middleware (which may await) results are typed as value-or-promise.
 * A parameter typed plain `CommandBus` accepts either.
 *
 * @example
 * @command(HelloHandler)
 * class SayHello extends Command<string> { constructor(readonly username: string) { super(); } }
 *
 * const bus = new CommandBus();
 * bus.dispatch(new SayHello('Tom')); // 'Hello Tom!'
 */
export interface CommandBus<Sync extends boolean = boolean> {
  /**
   * Runs the handler attached to the command's class (through the middleware, if any) and
   * returns what it returned. The context, if given, reaches every middleware and the handler.
   *
   * @throws {NoHandlerAttachedError} when the command's class has no handler.
   * @throws {TypeError} when `command` is not a class instance (null, a number, a plain object...).
   */
  dispatch<M extends object>(command: M, context?: DispatchContext): DispatchResult<M, Sync>;
}

/**
 * The constructor of {@link CommandBus}. Without middleware it builds a `CommandBus<true>`.
 * To subclass, name the mode: `class AppBus extends CommandBus<boolean> {}`.
 *
 * @throws {TypeError} when an option is not of the documented type.
 */
export interface CommandBusConstructor {
  new <Sync extends boolean = true>(options?: CommandBusOptions & { middleware?: readonly [] | undefined }): CommandBus<Sync>;
  new <Sync extends boolean = boolean>(options: CommandBusOptions): CommandBus<Sync | false>;
  readonly prototype: CommandBus;
}

/** The command bus: see {@link CommandBus} for what it does and {@link CommandBusOptions} for its options. */
export const CommandBus: CommandBusConstructor = class CommandBus {
  readonly #router: MessageRouter;
  readonly #handlerFactory: HandlerFactory;
  readonly #pipeline: Pipeline | undefined;

  constructor(options?: CommandBusOptions) {
    const checked = checkOptions(options, 'CommandBus');
    this.#router = checkRouter(checked['router'] ?? messageRouter, MessageRouter, 'CommandBus');
    this.#handlerFactory = (checked['handlerFactory'] as HandlerFactory | undefined) ?? constructHandler;
    const layers = checkMiddleware(checked['middleware'], 'CommandBus');
    this.#pipeline = layers.length === 0 ? undefined : compose(layers, (message, context) => this.#handle(message, context));
  }

  dispatch(command: object, context?: DispatchContext): unknown {
    if (this.#pipeline === undefined) return this.#handle(command, context);
    if (typeof command !== 'object' || command === null) throw notACommand(command);
    return this.#pipeline(command, context);
  }

  #handle(command: object, context: DispatchContext | undefined): unknown {
    const route = command == null ? undefined : this.#router.routeFor(command.constructor);
    if (route === undefined) throw notACommand(command);
    return invoke(route, command, context, this.#handlerFactory);
  }
} as CommandBusConstructor;

/** The error for a dispatch that cannot be routed, saying what was given and what is expected. */
function notACommand(command: unknown): Error {
  return describe(command).startsWith('an instance')
    ? new NoHandlerAttachedError((command as object).constructor as MessageClass)
    : new TypeError(`dispatch expects a command, an instance of a class with a handler, such as new SayHello('Tom'); got ${describe(command)}.`);
}

/** The same class as {@link CommandBus}, under the name of the Python library's generic bus. */
export const MessageBus = CommandBus;
/** The same type as {@link CommandBus}. */
export type MessageBus<Sync extends boolean = boolean> = CommandBus<Sync>;
