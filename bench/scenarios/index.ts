import type { Scenario } from '../harness.js';
import { asyncHandler } from './async-handler.js';
import { classHandlers } from './class-handlers.js';
import { events } from './events.js';
import { manyCommands } from './many-commands.js';
import { middleware } from './middleware.js';
import { syncHandler } from './sync-handler.js';

/** Every scenario of issue 3, in its order. */
export const scenarios: readonly Scenario[] = [syncHandler, asyncHandler, middleware, events, manyCommands, classHandlers];
