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
    // Tests that open onnxruntime sessions in the test process itself: no
    // telemetry files (see engine/inference/onnxruntime-environment.ts).
    env: { ORT_DISABLE_TELEMETRY: '1' },
  },
});

// Vitest loads the config's default export; this is the one default export the
// tools require.
// eslint-disable-next-line no-restricted-syntax
export default config;
