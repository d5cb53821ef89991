import { invalidOption } from './check-option.js';
import type { HandlerFactory } from './handler.js';

/** The default handler factory: `new HandlerClass()`. */
export const constructHandler: HandlerFactory = (HandlerClass) => new HandlerClass();

/**
 * Checks the options object a bus is built with and its `handlerFactory`.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function checkOptions(options: unknown, owner: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidOption(owner, 'options', 'an object', options);
  const { handlerFactory } = options as { handlerFactory?: unknown };
  if (handlerFactory !== undefined && typeof handlerFactory !== 'function') {
    throw invalidOption(owner, 'handlerFactory', 'a function (HandlerClass) => instance', handlerFactory);
  }
  return options as Record<string, unknown>;
}

/**
 * Checks a `router` option against the router class the bus expects.
 *
 * @throws {TypeError} naming the option and the value received.
 */
export function checkRouter<R>(router: unknown, RouterClass: abstract new () => R, owner: string): R {
  if (!(router instanceof RouterClass)) throw invalidOption(owner, 'router', `an instance of ${RouterClass.name}`, router);
  return router;
}
