// GPU-thread entry when running from TypeScript sources (CLI, tests, dev): register tsx in this
// thread, then load the real entry. Bundled builds start gpuWorkerMain.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./gpuWorkerMain.ts');
