import { describe } from './describe.js';
import type { HandlerFactory } from './handler.js';

/** The default handler factory: `new HandlerClass()`. */
export const constructHandler: HandlerFactory = (HandlerClass) => new HandlerClass();

/**
 * Checks the options object a bus is built with.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function checkOptions(options: unknown, owner: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`new ${owner}(options) expects an options object; got ${describe(options)}.`);
  }
  const { handlerFactory } = options as { handlerFactory?: unknown };
  if (handlerFactory !== undefined && typeof handlerFactory !== 'function') {
    throw new TypeError(
      `${owner} option "handlerFactory" must be a function (HandlerClass) => instance, such as (HandlerClass) => new HandlerClass(db); got ${describe(handlerFactory)}.`,
    );
  }
  return options as Record<string, unknown>;
}

/**
 * Checks a `router` option against the router class the bus expects.
 *
 * @throws {TypeError} naming the option and the value received.
 */
export function checkRouter<R>(router: unknown, RouterClass: abstract new () => R, owner: string): R {
  if (!(router instanceof RouterClass)) {
    throw new TypeError(`${owner} option "router" must be an instance of ${RouterClass.name}; got ${describe(router)}.`);
  }
  return router;
}
