export { TestCommandBus } from './test-command-bus.js';
export type { TestCommandBusOptions } from './test-command-bus.js';
export { TestEventBus } from './test-event-bus.js';
export type { TestEventBusOptions } from './test-event-bus.js';
export { StubEventRouter, StubMessageRouter } from './stub-routers.js';
export { MessageLog } from './message-log.js';
