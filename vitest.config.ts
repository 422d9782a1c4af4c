import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A Chromium from npm (@sparticuz/chromium) where the system has none.
    globalSetup: ['test/helpers/chromium-setup.ts'],
    // Real models on 2 CPU cores: keep files sequential so inference does not
    // fight itself, and give integration tests room.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

// Vitest loads the config's default export; this is the one default export the
// tools require.
// eslint-disable-next-line no-restricted-syntax
export default config;
