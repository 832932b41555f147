import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runChild } from './child-process.js';
import type { InProcessResult } from './in-process-result.js';

/** The compiled `*.bench.js` files of bench/<section>/, in name order. */
function benchFiles(section: 'micro' | 'scale'): string[] {
  const dir = fileURLToPath(new URL(`../${section}/`, import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.bench.js'))
    .sort()
    .map((file) => `${dir}${file}`);
}

/**
 * Runs every benchmark file of a section in its own Node process (`--expose-gc` so memory
 * figures are taken after a full collection) and collects its result lines.
 */
export async function runInProcessSection(
  section: 'micro' | 'scale',
  quick: boolean,
  log: (line: string) => void,
): Promise<InProcessResult[]> {
  const results: InProcessResult[] = [];
  for (const file of benchFiles(section)) {
    const label = basename(file, '.bench.js');
    const result = await runChild(
      process.execPath,
      ['--expose-gc', file, ...(quick ? ['--quick'] : [])],
      600_000,
    );
    const lines = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as InProcessResult);
    for (const line of lines) {
      results.push(line);
      log(
        `${line.name}${line.repeat === undefined ? '' : ` #${line.repeat}`}: ${line.error ?? `${formatValue(line.value)} ${line.unit}`}`,
      );
    }
    if (result.code !== 0) {
      const error = result.timedOut
        ? 'timed out'
        : `exit ${result.code ?? result.signal}: ${lastLines(result.stderr, 3)}`;
      results.push({
        name: `${section}.${label}`,
        value: NaN,
        unit: '',
        error,
      });
      log(`${section}/${label}: ERROR ${error}`);
    }
  }
  return results;
}

/** The last `count` non-empty lines of `text`, joined: enough to say why a child failed. */
function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join(' | ');
}

// A measure with no valid sample arrives as null (JSON has no NaN).
const formatValue = (v: number | null) =>
  v === null || !Number.isFinite(v)
    ? 'n/a'
    : v >= 100
      ? Math.round(v).toLocaleString('en-US')
      : v.toFixed(2);
