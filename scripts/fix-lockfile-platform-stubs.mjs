// Keeps package-lock.json valid for `npm ci` on every machine.
//
// Why: the npm registry reachable from our machines serves only the linux-x64 builds of
// packages that ship one optional binary package per platform (e.g. unrs-resolver, pulled in by
// jest-resolve). `npm install` then leaves the other platforms' optional dependencies out of the
// lock file, and `npm ci` refuses it ("Missing: @unrs/resolver-binding-darwin-x64@ from lock
// file"). This script adds those entries as optional, os/cpu-restricted stubs: npm ci skips them
// on a mismatched platform, exactly as it would skip the real ones.
//
// Usage, after any `npm install` that changes the lock: node scripts/fix-lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const CPUS = [
  'arm64',
  'arm',
  'x64',
  'ia32',
  'loong64',
  'ppc64',
  'riscv64',
  's390x',
  'wasm32',
];
const OSES = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openharmony',
  'win32',
  'wasi',
];

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(
    entry.optionalDependencies ?? {},
  )) {
    const key = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (packages[key] || packages[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OSES.find((o) => parts.includes(o));
    const cpu = CPUS.find((c) => parts.includes(c));
    if (!os || !cpu) {
      throw new Error(
        `cannot tell the platform of the optional dependency ${name}`,
      );
    }
    packages[key] = {
      version,
      dev: entry.dev,
      optional: true,
      os: [os],
      cpu: [cpu],
    };
    if (!entry.dev) delete packages[key].dev;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1,
  ),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform stub(s) added`);
