#!/usr/bin/env node
// Compiles the Node side (main/ and common/) to JavaScript in out/cli/, one .js per .ts in the same
// tree, so the `med3d` CLI and its worker threads start without compiling TypeScript on the fly.
// `npm run build:cli` (also run by postinstall and `npm test`); bin/med3d.mjs calls buildCli()
// itself when a source changed since the last build, so nobody runs stale code.
//
// Why one file per source rather than a bundle: the code finds its siblings through
// import.meta.url (the CLI's commands/ folder, job modules under tasks/, worker entries beside
// EngineWorker), and a mirrored tree keeps every such relative path true. Only the specifiers are
// rewritten: `./foo` and `./foo.ts` become `./foo.js`.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Source folders compiled (relative to the repo root). */
export const SOURCE_ROOTS = ['main', 'common'];
/** Where the compiled tree goes; MED3D_CLI_BUILD_DIR moves it (tests build into a temp folder). */
export function defaultOutDir() {
  return process.env.MED3D_CLI_BUILD_DIR ? path.resolve(process.env.MED3D_CLI_BUILD_DIR) : path.join(REPO_ROOT, 'out', 'cli');
}
const MANIFEST = 'manifest.json';
/** Files whose change invalidates every output (compiler options, this compiler). */
const BUILD_INPUTS = ['tsconfig.json', 'bin/buildCli.mjs', 'node_modules/esbuild/package.json'];

function isSource(name) {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.test\.ts$/.test(name);
}

/** Files below `dir` whose name passes `keep`, as paths relative to `dir` with '/' (hidden folders and node_modules skipped). */
function listFiles(dir, keep) {
  const out = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (keep(e.name)) out.push(r);
    }
  };
  walk('');
  return out;
}

/** Every compilable source under `roots` with its size and mtime: `{ 'main/cli/index.ts': [size, mtimeMs] }`. */
export function scanSources(root = REPO_ROOT, roots = SOURCE_ROOTS) {
  const out = {};
  for (const r of roots) {
    for (const f of listFiles(path.join(root, r), isSource)) {
      const st = statSync(path.join(root, r, f));
      out[`${r}/${f}`] = [st.size, Math.round(st.mtimeMs)];
    }
  }
  return out;
}

/** The fingerprint of BUILD_INPUTS: when it changes, everything is recompiled. */
export function buildInputsStamp(root = REPO_ROOT) {
  return BUILD_INPUTS.map((f) => {
    try {
      const st = statSync(path.join(root, f));
      return `${f}:${st.size}:${Math.round(st.mtimeMs)}`;
    } catch {
      return `${f}:-`;
    }
  }).join('|');
}

export function readManifest(outDir) {
  try {
    return JSON.parse(readFileSync(path.join(outDir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/** Sources to recompile and outputs to delete so `outDir` matches `sources`; null when nothing changed. */
export function staleSources(sources, manifest, stamp) {
  if (!manifest || manifest.stamp !== stamp) return { compile: Object.keys(sources), remove: [], full: true };
  const old = manifest.sources ?? {};
  const compile = Object.keys(sources).filter((f) => !old[f] || old[f][0] !== sources[f][0] || old[f][1] !== sources[f][1]);
  const remove = Object.keys(old).filter((f) => !sources[f]);
  return compile.length || remove.length ? { compile, remove, full: false } : null;
}

/** Sources (as 'main/x.ts') of the .js files present in `outDir`. */
function compiledFiles(outDir) {
  return listFiles(outDir, (n) => n.endsWith('.js')).map((f) => f.replace(/\.js$/, '.ts'));
}

function outFile(outDir, rel) {
  return path.join(outDir, rel.replace(/\.ts$/, '.js'));
}

/** Write atomically (temp + rename): concurrent `med3d` starts may rebuild the same file at once. */
function writeAtomic(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * esbuild plugin: every relative or absolute import stays an import (no bundling) whose specifier
 * points at the compiled sibling. Imports that leave the source roots are an error, since the
 * compiled tree would not hold them.
 */
function mirrorImports(root, roots) {
  return {
    name: 'med3d-mirror-imports',
    setup(build) {
      build.onResolve({ filter: /^\.{1,2}\/|^\// }, async (args) => {
        if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (r.errors.length) return { errors: r.errors };
        const rel = path.relative(root, r.path).split(path.sep).join('/');
        if (!roots.some((s) => rel.startsWith(`${s}/`))) {
          return { errors: [{ text: `${path.relative(root, args.importer)} imports ${rel}, outside ${roots.join('/, ')}/: the compiled CLI cannot hold it` }] };
        }
        let spec = path.relative(path.dirname(args.importer), r.path).split(path.sep).join('/').replace(/\.(ts|mts)$/, '.js');
        if (!spec.startsWith('.')) spec = `./${spec}`;
        return { path: spec, external: true };
      });
    },
  };
}

/**
 * Bring `outDir` up to date with the sources (only what changed, unless the compiler or tsconfig
 * did). Returns what was done. Throws with esbuild's message when a source does not compile.
 */
export async function buildCli({ root = REPO_ROOT, roots = SOURCE_ROOTS, outDir = defaultOutDir(), force = false } = {}) {
  const sources = scanSources(root, roots);
  const stamp = buildInputsStamp(root);
  const stale = force ? { compile: Object.keys(sources), remove: [], full: true } : staleSources(sources, readManifest(outDir), stamp);
  if (!stale) return { compiled: 0, removed: 0, outDir };
  const { build } = await import('esbuild');
  // A full rebuild overwrites in place rather than emptying the folder first: another `med3d`
  // may be running from it right now.
  if (stale.full) stale.remove = compiledFiles(outDir).filter((f) => !sources[f]);
  if (stale.compile.length) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: stale.compile.map((f) => path.join(root, f)),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outbase: root,
      outdir: outDir,
      logLevel: 'silent',
      plugins: [mirrorImports(root, roots)],
    });
    for (const f of result.outputFiles) writeAtomic(f.path, f.text);
  }
  for (const f of stale.remove) rmSync(outFile(outDir, f), { force: true });
  // The manifest goes last: a start that sees it can trust every file it lists.
  writeAtomic(path.join(outDir, MANIFEST), JSON.stringify({ stamp, sources }));
  return { compiled: stale.compile.length, removed: stale.remove.length, outDir };
}

/**
 * The compiled file for source `rel` (e.g. 'main/cli/index.ts') as a file: URL, building first if
 * anything changed; null when compiling is impossible here (esbuild missing, read-only install,
 * a source that does not compile), so the caller falls back to tsx.
 */
export async function compiledEntry(rel, opts = {}) {
  const outDir = opts.outDir ?? defaultOutDir();
  try {
    const root = opts.root ?? REPO_ROOT;
    const fresh = staleSources(scanSources(root, opts.roots ?? SOURCE_ROOTS), readManifest(outDir), buildInputsStamp(root)) === null;
    if (!fresh) await buildCli({ ...opts, outDir });
    return pathToFileURL(outFile(outDir, rel));
  } catch (err) {
    if (process.env.MED3D_DEBUG) process.stderr.write(`med3d: running from TypeScript sources (compiled CLI unavailable: ${err instanceof Error ? err.message.split('\n')[0] : err})\n`);
    return null;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = performance.now();
  try {
    const r = await buildCli({ force: process.argv.includes('--force') });
    console.log(`build:cli: ${r.compiled} compiled, ${r.removed} removed → ${path.relative(process.cwd(), r.outDir) || '.'} (${Math.round(performance.now() - t0)} ms)`);
  } catch (err) {
    // --optional (postinstall): an install never fails for this; bin/med3d.mjs retries or runs the sources.
    const optional = process.argv.includes('--optional');
    console.error(`build:cli: ${err instanceof Error ? err.message : err}${optional ? ' (med3d will run from the TypeScript sources)' : ''}`);
    if (!optional) process.exitCode = 1;
  }
}
