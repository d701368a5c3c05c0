/**
 * The suite as Stryker runs it: the in-process tests. Left out are the files that only drive the
 * built bundle (dist/, which Stryker does not mutate) or a browser, and the timing tortures: they
 * cannot kill a mutant of src/ and would multiply the run time.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/cleanup.ts'],
    exclude: [
      'test/crash.test.ts',
      'test/concurrency.test.ts',
      'test/rotation-torture.test.ts',
      'test/terminal.test.ts',
      'test/e2e.test.ts',
      'test/report.test.ts',
      'test/smoke.test.ts',
      'test/bench-generator.test.ts',
      // Store and file-system faults driven through the bundle (chmod, locks, a full disk, a 50 MB line):
      // store code, not mutated; they misbehave in Stryker's sandbox and take minutes.
      'test/pg-store.test.ts',
      'test/store-faults.test.ts',
      'test/bad-input.test.ts',
      // Scans the source text for child_process: Stryker's instrumented copies trip it.
      'test/security.test.ts',
    ],
    // Stryker's initial run must pass whole; on a loaded machine the multi-process tests run slow.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
