/**
 * Finds optional properties in declaration files whose type does not accept `undefined`.
 *
 * Under `exactOptionalPropertyTypes`, `{ url?: string }` refuses `{ url: process.env.URL }`
 * (a `string | undefined`), which is what a strict project passes for an option it may not
 * have. Every optional property of troopy's public types is therefore written `?: T | undefined`.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** One optional property that refuses `undefined`, as `file:line name`. */
export function optionalPropertiesWithoutUndefined(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if ((ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) && node.questionToken && node.type && !acceptsUndefined(node.type)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${file}:${line + 1} ${node.name.getText(source)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function acceptsUndefined(type: ts.TypeNode): boolean {
  if (type.kind === ts.SyntaxKind.UndefinedKeyword || type.kind === ts.SyntaxKind.UnknownKeyword || type.kind === ts.SyntaxKind.AnyKeyword) return true;
  if (ts.isUnionTypeNode(type)) return type.types.some(acceptsUndefined);
  if (ts.isParenthesizedTypeNode(type)) return acceptsUndefined(type.type);
  return false;
}
