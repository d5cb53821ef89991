/**
 * The little harness every example shares; nothing here is part of troopy.
 *
 * Each example file exports `run()` and an {@link Example} made by {@link defineExample}.
 * `examples/run-all.ts` runs them all in one process (`npm run demo`); each file also runs on
 * its own (`npx tsx examples/basic.ts`), because `defineExample` starts it when the file is the
 * process's entry point.
 */
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One runnable example. */
export interface Example {
  /** The file name without extension, such as `basic`. */
  readonly name: string;
  /** One line saying what the example shows. */
  readonly title: string;
  /** Runs the example, printing its output; rejects if the example fails. */
  readonly run: () => Promise<void>;
}

/**
 * Describes the example in the module at `moduleUrl`, and runs it right away when that module
 * is the script node was started with.
 */
export function defineExample(moduleUrl: string, title: string, run: () => Promise<void>): Example {
  const example: Example = { name: basename(fileURLToPath(moduleUrl), '.ts'), title, run };
  if (isEntryPoint(moduleUrl)) {
    // Start after the module body has finished, so the example may be defined anywhere in it.
    void Promise.resolve()
      .then(() => runExamples([example]))
      .then((passed) => {
        if (!passed) process.exitCode = 1;
      });
  }
  return example;
}

/**
 * Runs examples one after another, each under a header line, and carries on after a failure.
 *
 * @returns whether every example succeeded.
 */
export async function runExamples(examples: readonly Example[]): Promise<boolean> {
  const failed: string[] = [];
  for (const example of examples) {
    console.log(`\n=== ${example.name}: ${example.title} ===`);
    try {
      await example.run();
    } catch (error) {
      failed.push(example.name);
      console.error(`!!! example ${example.name} failed:`, error);
    }
  }
  if (failed.length > 0) console.error(`\n${failed.length} example(s) failed: ${failed.join(', ')}`);
  return failed.length === 0;
}

/** Whether the module at `moduleUrl` is the script node was started with. */
function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}
