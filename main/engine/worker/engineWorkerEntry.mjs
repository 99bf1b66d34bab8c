// Worker-thread entry when the engine runs from TypeScript sources (CLI, tests, dev): register
// tsx in this thread, then load the real entry. Bundled builds point EngineWorker at the
// bundled engineWorkerMain.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./engineWorkerMain.ts');
