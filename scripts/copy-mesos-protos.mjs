#!/usr/bin/env node
// Ships the Mesos .proto files with the compiled code: `loadMesosProtos()` reads them from
// `./proto/` next to its own module, in the sources (lib/mesos/proto) and in dist/lib/mesos/proto.
// Usage: node scripts/copy-mesos-protos.mjs [outDir of the build, default dist]
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'lib', 'mesos', 'proto');
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
const to = join(outDir, 'lib', 'mesos', 'proto');
mkdirSync(to, { recursive: true });
for (const file of readdirSync(from).filter((f) => f.endsWith('.proto'))) {
  copyFileSync(join(from, file), join(to, file));
}
