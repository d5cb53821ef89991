import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snippetsOf } from '../scripts/artifact/markdown-snippets.js';
import { declarationImportProblems, markdownLinkProblems, optionalPropertyProblems, sourceMapProblems } from '../scripts/artifact/package-files.js';

let made: string[] = [];
afterEach(() => {
  for (const directory of made) rmSync(directory, { recursive: true, force: true });
  made = [];
});

/** A package directory holding `files`, with a manifest declaring `peer` as a peer dependency. */
function fakePackage(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'troopy-artifact-test-'));
  made.push(directory);
  const all = { 'package.json': JSON.stringify({ name: 'troopy', peerDependencies: { peer: '>=1' } }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(directory, path, '..'), { recursive: true });
    writeFileSync(join(directory, path), text);
  }
  return directory;
}

describe('the installed-package checks find what broke the published types', () => {
  it('an import of a package that is neither a dependency nor a peer (@standard-schema/spec was)', () => {
    const directory = fakePackage({
      'dist/index.d.ts':
        "import type { A } from '@standard-schema/spec';\nimport type { B } from 'peer';\nexport * from './other.js';\nexport type C = import('troopy/transport').D;\n",
      'dist/other.d.ts': 'export {};\n',
      'dist/transport/index.d.ts': "import type { EventEmitter } from 'node:events';\n",
    });
    expect(declarationImportProblems(directory)).toEqual([
      'dist/index.d.ts imports @standard-schema/spec, which is neither the package, a dependency nor a peer dependency',
    ]);
  });

  it('a relative import of a file not shipped, and the root entry importing from Node.js', () => {
    const directory = fakePackage({ 'index.d.ts': "import type { X } from './missing.js';\nimport type { Y } from 'node:events';\n" });
    expect(declarationImportProblems(directory)).toEqual([
      'index.d.ts imports ./missing.js, which the package does not ship',
      'index.d.ts (root entry) imports node:events from Node.js',
    ]);
  });

  it('source maps naming sources the package does not ship', () => {
    const directory = fakePackage({
      'dist/a.js.map': JSON.stringify({ sources: ['../src/a.ts'] }),
      'dist/b.d.ts.map': JSON.stringify({ sources: ['../src/b.ts'] }),
      'src/b.ts': 'export {};\n',
    });
    expect(sourceMapProblems(directory)).toEqual(['dist/a.js.map names ../src/a.ts, which the package does not ship']);
  });

  it('Markdown links to pages the package does not ship, ignoring anchors and absolute links', () => {
    const directory = fakePackage({
      'README.md': '[page](src/redis/README.md) [bench](bench/README.md#method) [site](https://example.org) [here](#contents)\n',
      'src/redis/README.md': '# redis\n',
    });
    expect(markdownLinkProblems(directory)).toEqual(['README.md links to bench/README.md#method, which the package does not ship']);
  });

  it('optional properties that refuse undefined under exactOptionalPropertyTypes', () => {
    const directory = fakePackage({
      'dist/options.d.ts':
        'export interface O {\n  readonly url?: string;\n  readonly ok?: string | undefined;\n  readonly any?: unknown;\n  readonly fn?: (() => void) | undefined;\n}\n',
    });
    expect(optionalPropertyProblems(directory)).toEqual(['dist/options.d.ts:2 url: optional, but refuses undefined under exactOptionalPropertyTypes']);
  });
});

describe('README code blocks', () => {
  it('extracts ts blocks with their markers and line numbers, and ignores other languages', () => {
    const page = [
      '# t',
      '```sh',
      'npm i',
      '```',
      '<!-- snippet: prelude=routing -->',
      '```ts',
      'send();',
      '```',
      '```typescript',
      'let a = 1;',
      '```',
      '<!-- snippet: same-as=examples/x.ts -->',
      '```ts',
      'x();',
      '```',
    ].join('\n');
    expect(snippetsOf('README.md', page)).toEqual([
      { page: 'README.md', line: 6, code: 'send();\n', prelude: 'routing', sameAs: undefined },
      { page: 'README.md', line: 9, code: 'let a = 1;\n', prelude: undefined, sameAs: undefined },
      { page: 'README.md', line: 13, code: 'x();\n', prelude: undefined, sameAs: 'examples/x.ts' },
    ]);
  });

  it('refuses a marker it does not know (there is no way to skip a block), and an unclosed block', () => {
    expect(() => snippetsOf('README.md', '<!-- snippet: skip -->\n```ts\nx();\n```\n')).toThrow(/must read <!-- snippet: prelude=NAME -->/);
    expect(() => snippetsOf('README.md', '```ts\nx();\n')).toThrow(/never closed/);
  });
});
