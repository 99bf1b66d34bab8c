import { defineConfig } from 'vitest/config';

// Unit and integration tests live beside the code they protect (foo.ts + foo.test.ts).
// Browser end-to-end tests (test/e2e) are run by Playwright, not Vitest.
export default defineConfig({
  test: {
    include: ['bin/**/*.test.ts', 'main/**/*.test.ts', 'common/**/*.test.ts', 'renderer/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['node_modules', 'out', 'test/e2e/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
