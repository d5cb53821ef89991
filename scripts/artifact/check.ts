/**
 * Tests the package as users install it: `npm run test:artifact` (part of `npm test`).
 *
 * Packs the built project with `npm pack`, installs the tarball into a scratch project outside
 * the repository (no path aliases, no `src/`), and there:
 * - checks the shipped files: declaration imports, source maps, Markdown links, optional
 *   properties that refuse `undefined`;
 * - compiles the type tests (`test/types`), every TypeScript block of the shipped README pages,
 *   and the examples, with TypeScript 5.9 and the newest TypeScript, standard and legacy
 *   decorators, `strict`, `exactOptionalPropertyTypes` and `skipLibCheck: false`;
 * - runs the examples (ESM) and a `require()` round trip through every entry, on every Node.js
 *   version it is given (`--node=PATH`, repeatable; see `scripts/node-versions.ts`).
 *
 * `--other-nodes` adds the Node.js versions of `scripts/node-versions.sh`; `--release` also runs
 * publint and `@arethetypeswrong/cli` on the exact tarball (`npm run release:check`). `--keep`
 * leaves the scratch project in place and prints its path. Exits 1 on any problem.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snippetsOf } from './markdown-snippets.js';
import { declarationImportProblems, markdownLinkProblems, optionalPropertyProblems, sourceMapProblems } from './package-files.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const release = args.includes('--release');
const otherNodes = args.includes('--other-nodes')
  ? execFileSync('bash', [join(repo, 'scripts', 'node-versions.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
  : args.filter((arg) => arg.startsWith('--node=')).map((arg) => arg.slice('--node='.length));
const nodes = [process.execPath, ...otherNodes];

/** What the consumer installs beside the tarball, at the versions the repository's lockfile installed. */
const consumerDependencies = [
  'typescript',
  '@types/node',
  'zod',
  'ioredis',
  'amqplib',
  'pg',
  '@types/pg',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  '@types/better-sqlite3',
  'awilix',
  'vitest',
  'vite',
];
const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const started = performance.now();
const problems: string[] = [];
const step = (text: string): void => console.log(`artifact: ${text} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command, collecting stdout and stderr together. */
function run(command: string, commandArgs: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, commandArgs, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, output }));
  });
}

/** Runs jobs at most `width` at a time (the CI machine has two cores). */
async function inParallel<T>(jobs: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane));
  return results;
}

/**
 * Splits tsc's output into diagnostics about the consumer's code or troopy's declarations, and
 * diagnostics inside another package's own declarations (with `skipLibCheck: false`, a peer's
 * declarations can fail a strict consumer's build by themselves: @nats-io/nats-core 3.4 does
 * under `exactOptionalPropertyTypes`). The second kind is reported, not counted against troopy.
 */
function splitDiagnostics(output: string): { own: string[]; foreign: string[] } {
  const diagnostics = output.split(/\n(?=\S)/).filter((text) => text.includes('error TS'));
  const foreign = diagnostics.filter((text) => text.startsWith('node_modules/') && !text.startsWith('node_modules/troopy/'));
  return { own: diagnostics.filter((text) => !foreign.includes(text)), foreign };
}

// 1. Pack what `npm publish` would publish, and install it into a scratch project.
const scratch = mkdtempSync(join(tmpdir(), 'troopy-consumer-'));
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as {
  filename: string;
  entryCount: number;
}[];
const tarball = join(scratch, packed[0]!.filename);
step(`packed ${packed[0]!.filename} (${packed[0]!.entryCount} files)`);
const consumer = join(scratch, 'consumer');
mkdirSync(consumer);
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'troopy-consumer', private: true, type: 'module' }, null, 2));
const install = await run(
  'npm',
  [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
    tarball,
    `typescript7@npm:typescript@${installedVersion('typescript7')}`,
    ...consumerDependencies.map((name) => `${name}@${installedVersion(name)}`),
  ],
  consumer,
);
if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.output}`);
// better-sqlite3 is a native addon that npm ci has already compiled once; the sqlite example reuses it.
symlinkSync(join(repo, 'node_modules', 'better-sqlite3'), join(consumer, 'node_modules', 'better-sqlite3'));
const installed = join(consumer, 'node_modules', 'troopy');
step('installed the tarball into a scratch project');

// 2. The shipped files.
for (const [what, found] of [
  ['declaration imports', declarationImportProblems(installed)],
  ['source maps', sourceMapProblems(installed)],
  ['Markdown links', markdownLinkProblems(installed)],
  ['optional properties', optionalPropertyProblems(installed)],
] as const) {
  problems.push(...found.map((problem) => `${what}: ${problem}`));
  step(`${what}: ${found.length === 0 ? 'ok' : `${found.length} problem(s)`}`);
}

// 3. The projects a user would write: type tests, README blocks, examples.
const strictOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  noEmit: true,
};
const project = (name: string, include: string[], options: Record<string, unknown> = {}): string => {
  const file = join(consumer, `tsconfig.${name}.json`);
  writeFileSync(file, JSON.stringify({ compilerOptions: { ...strictOptions, ...options }, include }, null, 2));
  return file;
};

cpSync(join(repo, 'test', 'types'), join(consumer, 'types'), { recursive: true });
cpSync(join(repo, 'examples'), join(consumer, 'examples'), { recursive: true });
const exampleFiles = readdirSync(join(consumer, 'examples')).filter((file) => file.endsWith('.ts') && !['support.ts', 'run-all.ts'].includes(file));
// The examples that Node.js versions other than the one npm ci ran on can run: better-sqlite3's addon is built for that one only.
const portable = exampleFiles.filter((file) => file !== 'handler-factory-sqlite.ts').map((file) => file.replace(/\.ts$/, ''));
writeFileSync(
  join(consumer, 'examples', 'run-portable.ts'),
  portable.map((name, index) => `import { example as e${index} } from './${name}.js';`).join('\n') +
    `\nimport { runExamples } from './support.js';\nif (!(await runExamples([${portable.map((_, index) => `e${index}`).join(', ')}]))) process.exitCode = 1;\n`,
);

const brokerPages = readdirSync(join(installed, 'src', 'brokers'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
const pages = ['README.md', 'src/brokers/README.md', ...brokerPages.map((broker) => join('src', 'brokers', broker.name, 'README.md'))];
const preludes = join(repo, 'test', 'readme-preludes');
mkdirSync(join(consumer, 'snippets'));
const blockCounts: string[] = [];
let blocks = 0;
for (const page of pages) {
  const snippets = snippetsOf(page, readFileSync(join(installed, page), 'utf8'));
  blockCounts.push(`${page} ${snippets.length}`);
  for (const snippet of snippets) {
    blocks += 1;
    if (snippet.sameAs !== undefined) {
      const original = readFileSync(join(repo, snippet.sameAs), 'utf8');
      if (!original.includes(snippet.code.trim()))
        problems.push(`README blocks: ${page}:${snippet.line} no longer matches ${snippet.sameAs}, which it says it shows`);
      continue;
    }
    const prelude = snippet.prelude === undefined ? '' : readFileSync(join(preludes, `${snippet.prelude}.ts`), 'utf8');
    const name = `${page.replace(/[^a-z0-9]+/gi, '-')}-line-${snippet.line}.ts`;
    // A comment tells a failing compile where the block came from; the block keeps its own line numbers after the prelude.
    writeFileSync(
      join(consumer, 'snippets', name),
      `// ${page}:${snippet.line}, after the prelude ${snippet.prelude ?? '(none)'}\n${prelude}\n${snippet.code}export {};\n`,
    );
  }
}
step(`extracted ${blocks} TypeScript blocks (${blockCounts.join(', ')})`);

const compilers = [
  ['TypeScript 5.9', join(consumer, 'node_modules', 'typescript', 'bin', 'tsc')],
  [`TypeScript ${installedVersion('typescript7')}`, join(consumer, 'node_modules', 'typescript7', 'bin', 'tsc')],
] as const;
const projects = [
  ['type tests, standard decorators', project('types', ['types'])],
  ['type tests, legacy decorators', project('types-legacy', ['types'], { experimentalDecorators: true })],
  ['README blocks', project('snippets', ['snippets'])],
  ['README blocks, legacy decorators', project('snippets-legacy', ['snippets'], { experimentalDecorators: true })],
  ['examples', project('examples', ['examples'])],
] as const;
const compiles = await inParallel(
  compilers.flatMap(([compiler, tsc]) =>
    projects.map(([what, config]) => async () => ({ what: `${what}, ${compiler}`, result: await run(process.execPath, [tsc, '-p', config], consumer) })),
  ),
);
const upstream = new Set<string>();
for (const { what, result } of compiles) {
  const { own, foreign } = splitDiagnostics(result.output);
  for (const diagnostic of foreign) upstream.add(diagnostic.split('(')[0]!);
  if (result.code !== 0 && (own.length > 0 || foreign.length === 0)) problems.push(`compile ${what}:\n${own.join('\n') || result.output}`);
  step(`compiled ${what}: ${own.length === 0 && (result.code === 0 || foreign.length > 0) ? 'ok' : 'FAILED'}`);
}
if (upstream.size > 0) step(`note: errors inside other packages' own declarations under skipLibCheck false, not troopy's: ${[...upstream].join(', ')}`);

// 4. Run the examples (ESM) and a require() round trip through every entry, on every Node.js given.
const emit = await run(
  process.execPath,
  [compilers[0][1], '-p', project('examples-emit', ['examples'], { noEmit: false, outDir: 'build', rootDir: '.' })],
  consumer,
);
if (emit.code !== 0) problems.push(`emit examples:\n${emit.output}`);
cpSync(join(repo, 'scripts', 'artifact', 'require-round-trip.cjs'), join(consumer, 'require-round-trip.cjs'));
for (const node of nodes) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const runner = node === process.execPath ? 'run-all.js' : 'run-portable.js';
  const examples = await run(node, [join('build', 'examples', runner)], consumer, { REDIS_URL: '', NO_COLOR: '1' });
  const ran = (examples.output.match(/^=== /gm) ?? []).length;
  if (examples.code !== 0 || /^!!! example/m.test(examples.output)) problems.push(`examples on Node.js ${version} (${runner}):\n${examples.output}`);
  step(`Node.js ${version}: ${ran} examples ${examples.code === 0 ? 'ran' : 'FAILED'}`);
  const required = await run(node, ['require-round-trip.cjs'], consumer);
  if (required.code !== 0) problems.push(`require() on Node.js ${version}:\n${required.output}`);
  step(`Node.js ${version}: require() ${required.code === 0 ? required.output.trim() : 'FAILED'}`);
}

if (release) {
  // The installed copy is the tarball's content; attw reads the tarball itself.
  for (const [what, command, commandArgs] of [
    ['publint', join(repo, 'node_modules', '.bin', 'publint'), ['--strict', '--pack', 'false', installed]],
    ['attw', join(repo, 'node_modules', '.bin', 'attw'), ['--profile', 'esm-only', tarball]],
  ] as const) {
    const checked = await run(command, commandArgs, consumer);
    if (checked.code !== 0) problems.push(`${what} on the tarball:\n${checked.output}`);
    step(`${what} on the tarball: ${checked.code === 0 ? 'ok' : 'FAILED'}`);
  }
}

if (keep) console.log(`artifact: the scratch project is kept at ${consumer}`);
else rmSync(scratch, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(`\nartifact: ${problems.length} problem(s):\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  process.exit(1);
}
step(`the installed package passed: ${blocks} README blocks, ${compiles.length} compiles, examples and require() on ${nodes.length} Node.js version(s)`);
