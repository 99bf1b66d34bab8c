#!/usr/bin/env node
// Entry point of the `med3d` CLI. The sources are TypeScript; tsx compiles them on the fly so
// `npx med3d` works straight after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../main/cli/index.ts');
await runCli(process.argv);
