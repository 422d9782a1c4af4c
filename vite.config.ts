// Builds the React UI into dist/renderer with relative asset paths, so the same
// files load from Electron's custom protocol and from `framesmith serve`.
// Run from the repository root (npm scripts and the e2e setup do).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export const config = defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});

// Vite loads the config's default export; this is the one default export the tool requires.
// eslint-disable-next-line no-restricted-syntax
export default config;
