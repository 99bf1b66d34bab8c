// Worker entry when running from TypeScript sources (tests, dev): register tsx in this thread,
// then load the real entry. Bundled Electron builds use out/main/serviceHost.js instead, the
// compiled CLI (out/cli) its serviceHostMain.js (defaultServiceHostEntry in ServiceHostClient.ts).
import { register } from 'tsx/esm/api';

register();
await import('./serviceHostMain.ts');
