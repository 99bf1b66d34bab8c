import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the real UI in web mode: each worker starts `med3d serve` on a free port
 * with a fresh workspace (test/e2e/fixtures.ts) and drives Debian's Chromium (no browser
 * download: PLAYWRIGHT_CHROMIUM or /usr/bin/chromium). WebGL runs on SwiftShader there.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.spec\.ts$/,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-precise-memory-info'],
    },
    headless: true,
    trace: 'retain-on-failure',
  },
});
