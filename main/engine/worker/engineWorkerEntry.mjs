// Worker-thread entry when the engine runs from TypeScript sources (CLI, tests, dev): register
// tsx in this thread, then load the real entry. Bundled builds point EngineWorker at the
// bundled engineWorkerMain.js instead; the compiled CLI (out/cli, bin/buildCli.mjs) has no shim
// beside EngineWorker.js, so it starts the compiled engineWorkerMain.js.
import { register } from 'tsx/esm/api';

register();
await import('./engineWorkerMain.ts');
