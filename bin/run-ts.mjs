#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, experiments) through tsx: `node bin/run-ts.mjs file.ts [args]`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

register();
const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts.mjs <file.ts> [args...]');
  process.exit(1);
}
process.argv.splice(2, 1);
await import(pathToFileURL(path.resolve(file)).href);
