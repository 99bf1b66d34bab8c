#!/usr/bin/env node
// Entry point of the `med3d` CLI. It runs the compiled JavaScript in out/cli (bin/buildCli.mjs:
// built at install and rebuilt here, file by file, whenever a source changed), so a call in a
// batch script does not pay for compiling TypeScript. Where compiling is impossible (esbuild
// missing, read-only install) or MED3D_FROM_SOURCES=1, tsx runs the sources instead.
import { compiledEntry } from './buildCli.mjs';

const compiled = process.env.MED3D_FROM_SOURCES === '1' ? null : await compiledEntry('main/cli/index.ts');
let runCli;
if (compiled) {
  ({ runCli } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../main/cli/index.ts'));
}
await runCli(process.argv);
