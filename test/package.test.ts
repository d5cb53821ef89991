import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const rootPath = root.pathname;

/** Bundles an entry the way an application's bundler would: ESM, minified, for any platform. */
async function bundle(contents: string, format: 'esm' | 'iife' = 'esm'): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: rootPath, loader: 'ts' },
    bundle: true,
    minify: true,
    format,
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const gzipped = (code: string): number => gzipSync(code, { level: 9 }).length;

describe('bundle size budget', () => {
  it('keeps CommandBus, MessageRouter and command within 1.5 KB minified and gzipped', async () => {
    const code = await bundle("export { CommandBus, MessageRouter, command } from './src/index.ts';");
    expect(gzipped(code)).toBeLessThanOrEqual(1536);
  });

  it('keeps the whole root entry within 3 KB minified and gzipped', async () => {
    const code = await bundle("export * from './src/index.ts';");
    expect(gzipped(code)).toBeLessThanOrEqual(3072);
  });
});

describe('the root entry runs outside Node', () => {
  it('imports nothing from node: in the core', () => {
    const core = ['src', 'src/events'].flatMap((dir) =>
      readdirSync(new URL(dir, root))
        .filter((file) => file.endsWith('.ts') && !file.includes('.test'))
        .map((file) => `${dir}/${file}`),
    );
    expect(core.length).toBeGreaterThan(8);
    for (const file of core) {
      expect(readFileSync(new URL(file, root), 'utf8'), file).not.toMatch(/from ['"]node:|require\(/);
    }
  });

  it('dispatches and publishes in a bare JavaScript realm with no Node globals', async () => {
    const code = await bundle(
      `import { CommandBus, MessageRouter, EventBus, EventRouter, command, createAttachDecorator } from './src/index.ts';
       const router = new MessageRouter();
       class Add { constructor(a, b) { this.a = a; this.b = b; } }
       createAttachDecorator(router)((m) => m.a + m.b)(Add);
       const events = new EventRouter();
       class Added {}
       let seen = 0;
       events.subscribe(Added, () => { seen += 1; });
       globalThis.result = new CommandBus({ router }).dispatch(new Add(2, 3));
       globalThis.published = new EventBus({ router: events }).publish(new Added()).then(() => seen);`,
      'iife',
    );
    const sandbox: { result?: unknown; published?: Promise<number> } = {};
    runInNewContext(code, sandbox);
    expect(runInNewContext('typeof process + typeof require + typeof Buffer', {})).toBe('undefinedundefinedundefined');
    expect(sandbox.result).toBe(5);
    expect(await sandbox.published).toBe(1);
  });
});

describe('the published package', () => {
  beforeAll(() => {
    if (!existsSync(new URL('dist/index.js', root))) execFileSync('npm', ['run', 'build'], { cwd: rootPath, stdio: 'ignore' });
  });

  it('can be required from CommonJS', () => {
    const output = execFileSync(process.execPath, ['-e', "const t = require('troopy'); console.log(typeof t.CommandBus, typeof t.command)"], {
      cwd: rootPath,
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('function function');
  });

  it('has no runtime dependencies and no side effects', () => {
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Record<string, unknown>;
    expect(manifest['dependencies']).toBeUndefined();
    expect(manifest['sideEffects']).toBe(false);
  });
});
