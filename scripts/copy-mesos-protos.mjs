#!/usr/bin/env node
// Ships the Mesos .proto files with the compiled code: `loadMesosProtos()` reads them from
// `./proto/` next to its own module, in the sources (lib/mesos/proto) and in dist/lib/mesos/proto.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'lib', 'mesos', 'proto');
const to = join(root, 'dist', 'lib', 'mesos', 'proto');
mkdirSync(to, { recursive: true });
for (const file of readdirSync(from).filter((f) => f.endsWith('.proto'))) {
  copyFileSync(join(from, file), join(to, file));
}
