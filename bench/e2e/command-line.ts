/**
 * The command line of a standalone broker benchmark:
 * `npx tsx bench/e2e/brokers/<broker>.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=peer,troopy]`.
 */
import { pathToFileURL } from 'node:url';
import type { EndToEndBroker } from './broker.js';
import { runEndToEnd, type EndToEndOptions } from './harness.js';

/** Runs the broker's benchmark with the process's flags when `moduleUrl` is the process's entry; otherwise does nothing. */
export function runWhenMain(moduleUrl: string, broker: EndToEndBroker): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const flags = new Map(process.argv.slice(2).map((argument) => argument.replace(/^--/, '').split('=', 2) as [string, string]));
  const number = (name: string): number | undefined => (flags.has(name) ? Number(flags.get(name)) : undefined);
  const given = { messages: number('messages'), rounds: number('rounds'), ratePerSecond: number('rate'), pacedMessages: number('paced'), subjects: flags.get('subjects')?.split(',') };
  const options: EndToEndOptions = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  runEndToEnd(broker, options).then(
    (report) => process.stdout.write(`${report.markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
