import type { ResultOf } from '../command.js';
import { invalidOption } from '../check-option.js';
import { describe, isClass, nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import type { Transport } from '../transport/transport.js';

/** One routing rule: commands of exactly this class are sent to this transport. */
export type TransportRoute = readonly [messageClass: MessageClass, transport: Transport];

/**
 * Compile-time message shown when a routed class does not declare `Command<Promise<void>>`.
 * A sent command is handled in another process, so `dispatch` can only promise that it was
 * sent: its declared result must be `Promise<void>` for `await bus.dispatch(command)` to be
 * typed truthfully whether the command is routed or not.
 */
export interface RoutedCommandMustResolveToVoid<Declared> {
  /** The result type the class declares through `Command<R>` (`unknown` when it does not extend `Command`). */
  readonly 'a command routed to a transport must extend Command<Promise<void>>; it declares': Declared;
}

/** A route as given, or the same route with the class replaced by an explanation when it may not be routed. */
export type CheckedRoute<Route> = Route extends readonly [infer C, infer T]
  ? C extends MessageClass<infer M>
    ? ResultOf<M> extends Promise<void>
      ? Route
      : readonly [RoutedCommandMustResolveToVoid<ResultOf<M>>, T]
    : Route
  : Route;

/**
 * The routes of a routing configuration, each checked: a class whose declared result is not
 * `Promise<void>` does not compile, and the error names the result it declares.
 */
export type CheckedRoutes<Routes extends readonly TransportRoute[]> = { readonly [K in keyof Routes]: CheckedRoute<Routes[K]> };

/**
 * Checks a routing configuration at run time (for JavaScript callers) and turns it into a map
 * from class to transport, built once.
 *
 * @throws {TypeError} when `routes` is not an array of `[CommandClass, transport]` pairs, or
 * routes one class twice, naming the entry and what is wrong with it.
 */
export function buildRouteMap(owner: string, routes: unknown): Map<MessageClass, Transport> {
  if (!Array.isArray(routes)) {
    throw invalidOption(owner, 'routes', 'an array of [CommandClass, transport] pairs', routes);
  }
  const map = new Map<MessageClass, Transport>();
  routes.forEach((route: unknown, index) => {
    if (!Array.isArray(route) || route.length !== 2) {
      throw new TypeError(`${owner} option "routes": entry ${index} must be a [CommandClass, transport] pair; got ${describe(route)}.`);
    }
    const [messageClass, transport] = route as [unknown, unknown];
    if (!isClass(messageClass)) {
      throw new TypeError(`${owner} option "routes": entry ${index} must start with a command class; got ${describe(messageClass)}.`);
    }
    if (!isTransport(transport)) {
      throw new TypeError(
        `${owner} option "routes": entry ${index} (${nameOf(messageClass)}) must name a transport, an object with a name and a send method; got ${describe(transport)}.`,
      );
    }
    const existing = map.get(messageClass);
    if (existing !== undefined) {
      throw new TypeError(
        `${owner} option "routes": ${nameOf(messageClass)} is routed twice (to "${existing.name}" and "${transport.name}"); ` +
          'a command class is sent to exactly one transport, so remove one of the entries.',
      );
    }
    map.set(messageClass, transport);
  });
  return map;
}

function isTransport(value: unknown): value is Transport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Transport>;
  return typeof candidate.name === 'string' && typeof candidate.send === 'function';
}
