import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// troopy/transport re-exports the contract (here), the envelope and the sending folders.
const sources = ['./', '../envelope/', '../sending/'].flatMap((folder) => {
  const directory = new URL(folder, import.meta.url);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.test-d.ts'))
    .map((file) => ({ file: `${folder}${file}`, text: readFileSync(new URL(file, directory), 'utf8') }));
});

describe('troopy/transport runs in browsers, workers and Node alike', () => {
  it('finds the sources it checks', () => {
    expect(sources.map((source) => source.file)).toEqual(
      expect.arrayContaining(['../envelope/envelope.ts', '../envelope/json-codec.ts', '../sending/sender.ts', './in-memory-transport.ts']),
    );
  });

  it('imports nothing from node: and no package at run time (type-only imports aside)', () => {
    const offenders = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)]
        .map((match) => match[1] as string)
        .filter((specifier) => !specifier.startsWith('./') && !specifier.startsWith('../'))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('uses no Node globals (Buffer, process, require)', () => {
    const offenders = sources
      .filter(({ text }) => /\bBuffer\.[a-z]|\bprocess\.[a-z]|\brequire\(/.test(text.replace(/^\s*(?:\/\/|\*).*$/gm, '')))
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });
});
