/**
 * Pulls the TypeScript code blocks out of a Markdown page, with the marker that may precede each.
 *
 * A block is compiled as a module of its own. When it uses names it does not declare (most
 * README blocks continue an earlier one), an HTML comment right above it names a prelude from
 * `test/readme-preludes/` that declares them: `<!-- snippet: prelude=routing -->`. A block that
 * repeats a file of the repository says so, `<!-- snippet: same-as=examples/x.ts -->`, and must
 * equal that file. There is no way to skip a block.
 */

/** One `ts` block of a page. */
export interface Snippet {
  /** The page, relative to the package root. */
  readonly page: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The block's code. */
  readonly code: string;
  /** The prelude the marker names, if any. */
  readonly prelude: string | undefined;
  /** The repository file the block repeats, if any. */
  readonly sameAs: string | undefined;
}

const fence = /^```(\w*)\s*$/;
const marker = /^<!--\s*snippet:\s*(.*?)\s*-->\s*$/;

/** The `ts` / `typescript` blocks of `markdown`, in page order; throws on a malformed marker. */
export function snippetsOf(page: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = fence.exec(lines[index] ?? '');
    if (!opening) continue;
    const end = lines.findIndex((text, at) => at > index && text.trim() === '```');
    if (end === -1) throw new Error(`${page}:${index + 1}: a code block is never closed.`);
    const language = opening[1] ?? '';
    if (language === 'ts' || language === 'typescript') {
      const settings = markerSettings(page, index, lines[index - 1] ?? '');
      snippets.push({ page, line: index + 1, code: lines.slice(index + 1, end).join('\n') + '\n', ...settings });
    }
    index = end;
  }
  return snippets;
}

function markerSettings(page: string, fenceIndex: number, previous: string): Pick<Snippet, 'prelude' | 'sameAs'> {
  const found = marker.exec(previous.trim());
  if (!found) return { prelude: undefined, sameAs: undefined };
  const settings = new Map<string, string>();
  for (const part of (found[1] ?? '').split(/\s+/)) {
    const [key, value] = part.split('=');
    if (key === undefined || value === undefined || !['prelude', 'same-as'].includes(key)) {
      throw new Error(
        `${page}:${fenceIndex}: the snippet marker "${previous.trim()}" must read <!-- snippet: prelude=NAME --> or <!-- snippet: same-as=PATH -->.`,
      );
    }
    settings.set(key, value);
  }
  return { prelude: settings.get('prelude'), sameAs: settings.get('same-as') };
}
