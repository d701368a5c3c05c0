import { defineConfig } from 'vitest/config';
import PlainSummaryReporter from './test/support/summary-reporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', new PlainSummaryReporter()],
  },
});
