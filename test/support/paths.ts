import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory (where package.json is). */
export const REPO_ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);

/** Absolute path of a file in test/fixtures, e.g. `fixturePath('actor-messages.proto')`. */
export function fixturePath(name: string): string {
  return join(REPO_ROOT, 'test', 'fixtures', name);
}
