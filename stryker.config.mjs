// Mutation testing of the modules that decide numbers (`npm run mutate`). Not part of CI: on two
// cores a whole run takes hours. Incremental: a re-run mutates only code (and tests) that changed
// since reports/stryker-incremental.json, which is kept between runs but not committed.
// One module at a time: npm run mutate -- --mutate 'src/market/**/*.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: [
    'src/logs/**/*.ts',
    'src/analysis/**/*.ts',
    'src/ingest/**/*.ts',
    'src/market/**/*.ts',
    'src/backend/**/*.ts',
    // Runs in a worker thread that in-process tests never load: its mutants could only survive.
    '!src/ingest/scan-worker.ts',
  ],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // The machine is shared: one test process.
  concurrency: 1,
  timeoutMS: 20_000,
  // The initial run is the whole in-process suite with coverage: minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
};
