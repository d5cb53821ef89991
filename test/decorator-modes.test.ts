import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { HandlerAlreadyAttachedError, MessageRouter, createAttachDecorator } from 'troopy';

const fixture = fileURLToPath(new URL('./fixtures/decorated-commands.ts', import.meta.url));
const generated = fileURLToPath(new URL('./.generated/', import.meta.url));

/** Compiles the fixture with TypeScript itself, in one decorator mode, and imports the result. */
async function compileAndImport(mode: 'standard' | 'legacy'): Promise<typeof import('./fixtures/decorated-commands.js')> {
  const output = ts.transpileModule(readFileSync(fixture, 'utf8'), {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: mode === 'legacy',
      useDefineForClassFields: true,
    },
  });
  mkdirSync(generated, { recursive: true });
  const file = `${generated}decorated-${mode}.mjs`;
  writeFileSync(file, output.outputText);
  return (await import(/* @vite-ignore */ file)) as typeof import('./fixtures/decorated-commands.js');
}

describe.each(['standard', 'legacy'] as const)('@command under %s decorators (compiled by tsc)', (mode) => {
  it('attaches the decorated classes and returns them unchanged', async () => {
    const compiled = await compileAndImport(mode);
    expect(compiled.bus.dispatch(new compiled.SayHello('Tom'))).toBe('Hello Tom!');
    expect(compiled.bus.dispatch(new compiled.Add(2, 3))).toBe(5);
    expect(compiled.SayHello.name).toBe('SayHello');
    expect(new compiled.SayHello('x')).toBeInstanceOf(compiled.SayHello);
    expect(compiled.router.has(compiled.SayHello)).toBe(true);
  });
});

describe('@command as a plain call', () => {
  it('attaches and returns the same class', () => {
    const router = new MessageRouter();
    const command = createAttachDecorator(router);
    class Ping {}
    expect(command(() => 'pong')(Ping)).toBe(Ping);
    expect(router.has(Ping)).toBe(true);
  });

  it('throws HandlerAlreadyAttachedError when a class is decorated twice', () => {
    const command = createAttachDecorator(new MessageRouter());
    class Ping {}
    command(() => 'a')(Ping);
    expect(() => command(() => 'b')(Ping)).toThrow(HandlerAlreadyAttachedError);
  });

  it.each([
    ['null', [null]],
    ['an object', [{}]],
    ['an arrow function with a class-decorator context', [() => 1, { kind: 'class' }]],
    ['a method (standard decorator context)', [function method() {}, { kind: 'method', name: 'm' }]],
    ['a method (legacy decorator: prototype, key, descriptor)', [{}, 'method', { value: () => 1 }]],
    ['a field (standard decorator context)', [undefined, { kind: 'field', name: 'f' }]],
  ])('throws a TypeError when applied to %s', (_label, args) => {
    const decorate = createAttachDecorator(new MessageRouter())(() => 'x') as (...args: unknown[]) => unknown;
    expect(() => decorate(...args)).toThrow(TypeError);
    expect(() => decorate(...args)).toThrow(/@command\(handler\) expects a class to decorate; got/);
  });

  it('rejects a non-router', () => {
    expect(() => createAttachDecorator({} as never)).toThrow(/createAttachDecorator option "router" must be an instance of MessageRouter; got a plain object/);
  });
});
