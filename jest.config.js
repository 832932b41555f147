/** Jest 30 in native ESM mode (run through `node --experimental-vm-modules`). */
export default {
  testEnvironment: 'node',
  // examples/ holds the README's code, its tests included.
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The package's own name, as the sample and examples/ import it (tsconfig `paths` does the
    // same for tsc).
    '^nestjs-libprocess$': '<rootDir>/lib/index.ts',
    '^nestjs-libprocess/(.*)$': '<rootDir>/lib/$1/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 30000,
  // On 2 cores Jest would run every suite inside its own main process (in band), where the ESM module
  // registries of ~80 suites add up: a loaded 44-minute run died of heap exhaustion at the end.
  // With a limit the suites run in one worker that is replaced once it holds more than this.
  workerIdleMemoryLimit: '1GB',
};
