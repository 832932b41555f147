import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { BenchResults } from './bench-results.js';
import { renderResults } from './results-markdown.js';

/** The repository's README, from dist/bench/report/ or bench/report/. */
export const README = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../README.md'
      : '../../README.md',
    import.meta.url,
  ),
);

// The generated part of the Performance section; the text around it is written by hand.
const BEGIN = '<!-- bench:results -->';
const END = '<!-- /bench:results -->';

/**
 * Replaces what lies between the `bench:results` markers of the README with the tables of
 * `results`, formatted by the repository's Prettier configuration (so `prettier --check` holds).
 */
export async function writeReadmeResults(
  results: BenchResults,
  file = README,
): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`${file}: no ${BEGIN} ... ${END} block to fill`);
  const updated = `${text.slice(0, begin + BEGIN.length)}\n\n${renderResults(results)}\n\n${text.slice(end)}`;
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(updated, { ...config, filepath: file }),
  );
}
