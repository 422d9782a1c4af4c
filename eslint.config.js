// Lint enforces the layer table in DESIGN.md: each folder may import only
// what its runtime has. A wrong import fails `npm test`, not a code review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { engineLayersPlugin } from './scripts/lint/engine-layers.js';

const nodeBuiltins = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto',
  'stream', 'stream/*', 'events', 'url', 'util', 'http', 'https', 'net', 'zlib',
];

function restrict(patterns, message) {
  return { group: patterns, message };
}

const noDefaultExport = {
  selector: 'ExportDefaultDeclaration',
  message: 'Named exports only (STYLE.md habit 7).',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-restricted-syntax': ['error', noDefaultExport],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(nodeBuiltins, 'common/ runs anywhere: no Node built-ins.'),
          restrict(['electron', 'react', 'react-dom', 'onnxruntime-node', 'sharp'], 'common/ may import only a schema library.'),
          restrict(['**/engine/**', '**/electron/**', '**/renderer/**', '**/cli/**'], 'common/ imports no other layer.'),
        ],
      }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    plugins: { framesmith: engineLayersPlugin },
    rules: {
      'framesmith/engine-layers': 'error',
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(['electron', 'react', 'react-dom'], 'engine/ knows nothing about Electron or the UI.'),
          restrict(['**/electron/**', '**/renderer/**', '**/cli/**'], 'engine/ may import only common/.'),
        ],
      }],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(['electron', 'react', 'react-dom'], 'cli/ runs in plain Node.'),
          restrict(['**/electron/**', '**/renderer/**'], 'cli/ may import engine/index.ts and common/ only.'),
          restrict(['**/engine/**', '!**/engine/index.ts'], 'Import the engine through its one public door, engine/index.ts.'),
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(nodeBuiltins, 'renderer/ runs in the browser: no Node built-ins.'),
          restrict(['electron', 'onnxruntime-node', 'sharp'], 'renderer/ talks to the typed API only.'),
          restrict(['**/engine/**', '**/electron/**', '**/cli/**'], 'renderer/ may import common/ only.'),
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(['**/renderer/**', '**/cli/**'], 'electron/ may import common/ and engine/index.ts.'),
          restrict(['**/engine/**', '!**/engine/index.ts'], 'Import the engine through engine/index.ts.'),
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/engine-host.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          restrict(['**/renderer/**', '**/cli/**'], 'electron/ may import common/ and engine/index.ts.'),
          restrict(['**/engine/**'], 'Only electron/engine-host.ts (the utility process) imports the engine; main and preload talk to it over a MessagePort.'),
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { 'no-restricted-syntax': 'off' },
  },
);
