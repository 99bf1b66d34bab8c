#!/usr/bin/env node
// Builds the optional oneDNN addon (native/build/Release/med3d_onednn.node) with node-gyp.
//
// Run by npm's "postinstall" and by `npm run build:native`. It NEVER fails the install: when a
// prerequisite is missing it prints why it skipped and how to enable the fast path, and the
// engine falls back to plain TensorFlow.js. `--strict` turns a skip or a failed build into
// exit code 1 (CI uses it where libdnnl-dev is installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const strict = process.argv.includes('--strict');
const force = process.argv.includes('--force');
const out = path.join(here, 'build', 'Release', 'med3d_onednn.node');
const statusFile = path.join(here, 'build', 'build-status.json');
const HOW = 'install a C++ compiler and oneDNN (Debian/Ubuntu: `sudo apt-get install g++ make libdnnl-dev`), then run `npm run build:native`';

function log(msg) {
  console.log(`[med3d native] ${msg}`);
}

function writeStatus(status) {
  try {
    mkdirSync(path.dirname(statusFile), { recursive: true });
    writeFileSync(statusFile, JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2));
  } catch {
    // the status file is informational only
  }
}

function skip(reason) {
  log(`skipped: ${reason}.`);
  if (existsSync(out)) log(`An earlier build is still in place: ${path.relative(process.cwd(), out)}.`);
  else log(`The engine will use plain TensorFlow.js (correct but much slower). To enable the fast CPU path: ${HOW}.`);
  writeStatus({ lastAttempt: 'skipped', reason, addonPresent: existsSync(out) });
  process.exit(strict ? 1 : 0);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

if (process.env.MED3D_SKIP_NATIVE === '1') skip('MED3D_SKIP_NATIVE=1 is set');

// Up to date: every `npm install` runs postinstall, and a rebuild removes the working addon
// while it compiles (engines started meanwhile would fall back to plain tfjs). --force rebuilds.
function newestSource() {
  const files = ['binding.gyp', 'build.mjs', ...readdirSync(path.join(here, 'src')).map((f) => path.join('src', f))];
  return Math.max(...files.map((f) => statSync(path.join(here, f)).mtimeMs));
}
if (!force && existsSync(out) && statSync(out).mtimeMs > newestSource()) {
  log(`up to date: ${path.relative(process.cwd(), out)} (use --force to rebuild).`);
  process.exit(0);
}
if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`no native build recipe for ${process.platform} yet`);
if (process.arch !== 'x64' && process.arch !== 'arm64') skip(`unsupported CPU architecture ${process.arch}`);
const cxx = process.env.CXX || which('c++') || which('g++') || which('clang++');
if (!cxx) skip('no C++ compiler found (c++, g++ or clang++)');
if (!which('make')) skip('`make` not found');

const includeDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include', ...(process.env.CPATH ?? '').split(':').filter(Boolean)];
const dnnlHeader = includeDirs.map((d) => path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')).find((f) => existsSync(f));
if (!dnnlHeader) skip('oneDNN headers (oneapi/dnnl/dnnl.hpp) not found');

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  require.resolve('node-addon-api');
} catch {
  skip('node-gyp or node-addon-api is not installed (run `npm install`)');
}

// Use the running Node's own headers when they are on disk, so the build works offline.
const args = [nodeGyp, 'rebuild', '--release'];
const nodeDir = path.resolve(path.dirname(process.execPath), '..');
if (existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodeDir}`);

log(`building with ${cxx} against ${path.dirname(dnnlHeader)} ...`);
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, CXX: cxx } });
if (r.status !== 0 || !existsSync(out)) {
  const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  console.log(tail);
  skip(`node-gyp failed (exit ${r.status ?? r.signal}); see the output above`);
}
log(`built ${path.relative(process.cwd(), out)} in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
writeStatus({ lastAttempt: 'built', file: out, addonPresent: true });
