/**
 * Runs every example in order, each under its own header: `npm run demo`.
 *
 * They share one process, which is why only `basic.ts` attaches to the global router and every
 * other example keeps its handlers on a router of its own. Exits with code 1 if any example
 * fails, after running the rest.
 */
import { example as basic } from './basic.js';
import { example as customRouter } from './custom-router.js';
import { example as diContainer } from './di-container.js';
import { example as events } from './events.js';
import { example as functionHandler } from './function-handler.js';
import { example as handlerFactorySqlite } from './handler-factory-sqlite.js';
import { example as middleware } from './middleware.js';
import { runExamples } from './support.js';
import { example as typedResults } from './typed-results.js';
import { example as worker } from './worker.js';

const passed = await runExamples([basic, handlerFactorySqlite, customRouter, functionHandler, middleware, events, typedResults, diContainer, worker]);
if (!passed) process.exitCode = 1;
