/**
 * The command line of a standalone broker benchmark:
 * `npx tsx bench/e2e/brokers/<broker>.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=peer,troopy] [--transport-options=JSON] [--warm-up=N]`.
 */
import { pathToFileURL } from 'node:url';
import type { EndToEndBroker } from './broker.js';
import { runEndToEnd, type EndToEndOptions } from './harness.js';

/** Runs the broker's benchmark with the process's flags when `moduleUrl` is the process's entry; otherwise does nothing. */
export function runWhenMain(moduleUrl: string, broker: EndToEndBroker): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const flags = new Map(
    process.argv.slice(2).map((argument) => {
      const [name, ...value] = argument.replace(/^--/, '').split('=');
      return [name, value.join('=')] as [string, string];
    }),
  );
  const number = (name: string): number | undefined => (flags.has(name) ? Number(flags.get(name)) : undefined);
  const given = {
    messages: number('messages'),
    warmUpMessages: number('warm-up'),
    rounds: number('rounds'),
    ratePerSecond: number('rate'),
    pacedMessages: number('paced'),
    subjects: flags.get('subjects')?.split(','),
    transportOptions: jsonObject(flags.get('transport-options')),
  };
  const options: EndToEndOptions = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  runEndToEnd(broker, options).then(
    (report) => process.stdout.write(`${report.markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** `--transport-options` as an object, such as `{"notify":false}`; throws naming the flag for anything else. */
function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`--transport-options takes a JSON object, such as --transport-options='{"notify":false}'; got ${JSON.stringify(text)}.`);
  }
  return value as Record<string, unknown>;
}
