/**
 * Static checks of an installed troopy package: what its declarations import, what its source
 * maps name, where its Markdown links lead, and whether its optional properties accept
 * `undefined`. Each returns the problems it found, one line each; none means the check passed.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { optionalPropertiesWithoutUndefined } from './optional-properties.js';

/** The package's files with one of the given endings, as absolute paths. */
export function packageFiles(packageDir: string, ...endings: string[]): string[] {
  return readdirSync(packageDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => !file.startsWith('node_modules') && endings.some((ending) => file.endsWith(ending)))
    .map((file) => join(packageDir, file));
}

/** Module specifiers a declaration file imports, exports from, or references by `import("...")`. */
function specifiersOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const reference of source.typeReferenceDirectives) found.push(reference.fileName);
  return found;
}

const packageNameOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Every import of every `.d.ts` must resolve: a relative one to a shipped file, a bare one to the
 * package itself, a declared dependency or peer, or Node's own modules (`@types/node`); the root
 * entry's declarations import nothing from Node.
 */
export function declarationImportProblems(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string | undefined>;
  const declared = new Set([manifest['name'] as string, ...Object.keys(manifest['dependencies'] ?? {}), ...Object.keys(manifest['peerDependencies'] ?? {})]);
  const problems: string[] = [];
  for (const file of packageFiles(packageDir, '.d.ts')) {
    const where = relative(packageDir, file);
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts'));
        if (!existsSync(target) && !existsSync(join(resolve(dirname(file), specifier), 'index.d.ts')))
          problems.push(`${where} imports ${specifier}, which the package does not ship`);
      } else if (specifier.startsWith('node:') || builtinModules.includes(specifier) || specifier === 'node') {
        if (!where.includes('/')) problems.push(`${where} (root entry) imports ${specifier} from Node.js`);
      } else if (!declared.has(packageNameOf(specifier))) {
        problems.push(`${where} imports ${specifier}, which is neither the package, a dependency nor a peer dependency`);
      }
    }
  }
  return problems;
}

/** Every source (and declaration) map must name files that the package ships. */
export function sourceMapProblems(packageDir: string): string[] {
  const problems: string[] = [];
  for (const file of packageFiles(packageDir, '.js.map', '.d.ts.map')) {
    const map = JSON.parse(readFileSync(file, 'utf8')) as { sources?: string[]; sourceRoot?: string };
    for (const source of map.sources ?? []) {
      const target = resolve(dirname(file), map.sourceRoot ?? '', source);
      if (!existsSync(target)) problems.push(`${relative(packageDir, file)} names ${source}, which the package does not ship`);
    }
  }
  return problems;
}

/** Every relative link of every shipped Markdown page must lead to a shipped file. */
export function markdownLinkProblems(packageDir: string): string[] {
  const problems: string[] = [];
  const link = /\]\(([^)\s]+)\)/g;
  for (const file of packageFiles(packageDir, '.md')) {
    const text = readFileSync(file, 'utf8');
    for (const [, target = ''] of text.matchAll(link)) {
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = target.split('#')[0] ?? '';
      if (!existsSync(resolve(dirname(file), path))) problems.push(`${relative(packageDir, file)} links to ${target}, which the package does not ship`);
    }
  }
  return problems;
}

/** Optional properties of the shipped declarations that refuse `undefined`. */
export function optionalPropertyProblems(packageDir: string): string[] {
  return optionalPropertiesWithoutUndefined(packageFiles(packageDir, '.d.ts')).map(
    (found) => `${relative(packageDir, found)}: optional, but refuses undefined under exactOptionalPropertyTypes`,
  );
}
