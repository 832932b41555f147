import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The path of the `<!-- example: path -->` marker right above the block, if any. */
  example?: string;
}

/** The fenced code blocks of a Markdown text, with the example marker that precedes each. */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    let above = start - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[above] ?? '');
    blocks.push({
      line: start + 1,
      lang: open[1],
      code: body.length ? `${body.join('\n')}\n` : '',
      example: marker?.[1],
    });
  }
  return blocks;
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const TYPESCRIPT = new Set(['ts', 'typescript', 'js', 'javascript', 'tsx']);

/**
 * The README's code is the code of examples/ (type-checked and linted with the library by
 * `npm run typecheck` and `npm run lint`, and compiled against the packed tarball by
 * npm-pack.spec.ts): every TypeScript block is a verbatim copy of the file its
 * `<!-- example: examples/... -->` marker names, so the docs cannot drift from the API.
 */
describe('README code blocks', () => {
  const blocks = codeBlocks(README).filter((b) => TYPESCRIPT.has(b.lang));

  it('has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('quotes every TypeScript block from a file of examples/', () => {
    const unquoted = blocks
      .filter((b) => !b.example?.startsWith('examples/'))
      .map(
        (b) =>
          `README.md:${b.line}: move this block into a file of examples/ and put ` +
          `"<!-- example: examples/<file>.ts -->" on the line above it`,
      );
    expect(unquoted).toEqual([]);
  });

  it.each(
    codeBlocks(README)
      .filter((b) => b.example)
      .map((b) => [b.example!, b] as const),
  )('%s is quoted verbatim', (path, block) => {
    const file = join(REPO_ROOT, path);
    expect(existsSync(file)).toBe(true);
    expect(block.code).toBe(readFileSync(file, 'utf8'));
  });
});
