import type { DispatchContext } from '../context.js';
import type { MessageClass } from '../message-router.js';
import type { Middleware } from '../middleware.js';
import { Sender, type SenderOptions } from './sender.js';
import type { SendOptions } from './send-receipt.js';
import type { TransportRoute } from './transport-routes.js';

/**
 * A middleware that sends commands of routed classes to their transport instead of handling
 * them, so a command handled in process today is sent to a worker tomorrow by changing the
 * routes, not the code that dispatches it. Unrouted commands go on to their handler.
 *
 * Rules:
 * - For a routed command, `dispatch` returns the send's promise: it resolves (with a
 *   `SendReceipt` at run time) once the broker has durably accepted the message, and rejects
 *   when it has not. Routed classes must extend `Command<Promise<void>>` (checked when the
 *   routes compile), so `await bus.dispatch(command)` is typed `void` either way. Use
 *   `Sender.send` when you need the receipt, a delay or a batch.
 * - `context.headers` and `context.correlationId` of the dispatch are sent with the command.
 * - A dispatch whose context has `receivedFrom` (the worker's) is handled here, never sent
 *   back, so one bus serves both the producers and the worker.
 * - Put it after middleware that should run on the producing side (validation, logging) and
 *   before those that should run only where the command is handled (transactions).
 *
 * @param routing a {@link Sender}, or the options to build one.
 * @throws {TypeError} when the routes are not `[CommandClass, transport]` pairs or route a class twice.
 * @example
 * const bus = new CommandBus({ middleware: [routeToTransports({ routes: [[SendEmail, redis]] })] });
 * await bus.dispatch(new SendEmail('tom@example.com')); // sent to redis, handled by a worker
 */
export function routeToTransports<const Routes extends readonly TransportRoute[]>(routing: Sender | SenderOptions<Routes>): Middleware {
  const sender: Sender = routing instanceof Sender ? routing : new Sender<readonly TransportRoute[]>(routing);
  return (message, next, context) => {
    if (context?.receivedFrom !== undefined) return next(message);
    if (sender.transportFor(message.constructor as MessageClass) === undefined) return next(message);
    return sender.send(message, sendOptions(context));
  };
}

function sendOptions(context: DispatchContext | undefined): SendOptions | undefined {
  if (context === undefined) return undefined;
  const { headers, correlationId } = context;
  if (headers === undefined) return correlationId === undefined ? undefined : { correlationId };
  return correlationId === undefined ? { headers } : { headers, correlationId };
}
