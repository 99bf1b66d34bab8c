// Smoke test of the BUNDLED Electron main process (out/main) without the Electron binary:
//   npm run build && npm run smoke:electron-bundle
// Starts out/main/index.js against a fake 'electron' module, then drives the real IPC handlers:
// job kinds discovered in out/main/tasks, renderer served via app://, demo phantom, lung task in
// the bundled engine worker, label saved. Exits non-zero on any failure.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const home = mkdtempSync(path.join(tmpdir(), 'med3d-bundle-smoke-'));
process.env.FAKE_DIR = home;
process.env.MED3D_WORKSPACE = path.join(home, 'workspace');
const check = (ok, what) => {
  if (!ok) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
};
await import(new URL('../../../out/main/index.js', import.meta.url).href);
const s = globalThis.__fakeElectron;
for (let i = 0; i < 400 && !s.windows.length; i++) await new Promise((r) => setTimeout(r, 25));
const call = async (m, p) => {
  const env = await s.ipc.get(`med3d:${m}`)({ senderFrame: { url: 'app://med3d/index.html' } }, p);
  if (!env.ok) throw new Error(`${m}: ${env.error.message}`);
  return env.result;
};
check(s.windows[0]?.url === 'app://med3d/index.html', 'window loads app://med3d/index.html');
const wp = s.windows[0].opts.webPreferences;
check(wp.contextIsolation === true && wp.sandbox === true && wp.nodeIntegration === false && s.sandboxAll === true, 'contextIsolation + sandbox (app-wide), no nodeIntegration');
check(s.permissionCheck?.(null, 'hid', 'app://med3d') === false && s.devicePermission?.({ deviceType: 'usb' }) === false, 'permission checks and device permissions denied');
const kinds = await call('listJobKinds');
check(kinds.includes('predict'), `job kinds discovered in the bundle: ${kinds.join(', ')}`);
const page = await s.protocol({ url: 'app://med3d/index.html' });
check(page.status === 200 && /default-src 'self'/.test(page.headers.get('content-security-policy') ?? ''), 'renderer served with CSP');
let t = Date.now();
const hdr = await call('openVolume', { kind: 'demo' });
check(hdr.dims.length === 3 && !!hdr.caseId, `demo phantom ${hdr.dims.join('x')} opened as ${hdr.caseId} in ${Date.now() - t} ms`);
t = Date.now();
const { jobId } = await call('runTask', { task: 'lung', caseId: hdr.caseId });
let j;
for (let i = 0; i < 600; i++) {
  j = await call('getJob', { jobId });
  if (j.state !== 'running' && j.state !== 'queued') break;
  await new Promise((r) => setTimeout(r, 500));
}
check(j.state === 'done', `lung task in the bundled engine worker: ${j.state} in ${Date.now() - t} ms ${JSON.stringify(j.result ?? j.error)}`);
const lab = await call('loadLabel', { caseId: hdr.caseId });
check(lab?.labels.byteLength === hdr.dims[0] * hdr.dims[1] * hdr.dims[2], `label version ${lab?.version.version} saved on the scan grid`);
process.exit(0);
