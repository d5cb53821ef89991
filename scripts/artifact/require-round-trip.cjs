// Loads every entry of the installed package with require() (Node.js 20.19+ loads ES modules
// that way), and sends one command through the in-memory transport to a worker and back.
'use strict';
const { Command, CommandBus, MessageRouter } = require('troopy');
const { InMemoryTransport, Sender, messageName, routeToTransports } = require('troopy/transport');
const { Worker } = require('troopy/worker');
const entries = ['troopy/testing', 'troopy/redis', 'troopy/rabbitmq', 'troopy/postgres', 'troopy/nats'];
const loaded = entries.map((entry) => Object.keys(require(entry)).length);
if (loaded.some((count) => count === 0)) throw new Error(`an entry exports nothing: ${entries.join(', ')} -> ${loaded.join(', ')}`);

class Ping extends Command {
  constructor(text) {
    super();
    this.text = text;
  }
}
messageName('artifact.ping', { version: 1 })(Ping);

async function main() {
  const transport = new InMemoryTransport({ name: 'memory:require' });
  const router = new MessageRouter();
  let handled;
  const done = new Promise((resolve) => {
    router.attach(Ping, (ping) => {
      handled = ping instanceof Ping ? ping.text : 'not a Ping';
      resolve();
    });
  });
  const bus = new CommandBus({ router, middleware: [routeToTransports(new Sender({ routes: [[Ping, transport]] }))] });
  const worker = new Worker({ transports: [transport], bus, receiveWaitMs: 50 });
  worker.start();
  await bus.dispatch(new Ping('pong'));
  await done;
  await worker.stop();
  await transport.close();
  if (handled !== 'pong') throw new Error(`the worker handled ${String(handled)}`);
  console.log(`ok: ${entries.length + 3} entries loaded, a command went through a worker and back`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
