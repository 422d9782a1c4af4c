#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout: tsx compiles on load, so
// no build step stands between `npm install` and `npx framesmith`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
