import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { REPO_ROOT, buildCli, compiledEntry } from './buildCli.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'med3d-buildcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A tiny source tree using every import form the real sources use. */
function writeTree(root: string): void {
  const files: Record<string, string> = {
    'main/a.ts': [
      "import { b } from './b';",
      "import { c } from './c.ts';",
      "import { fromDir } from './dir';",
      "import type { Shape } from '../common/shape';",
      "export const shape: Shape = { n: 1 };",
      "export const here = import.meta.url;",
      "export async function all(): Promise<string> {",
      "  const { d } = await import('./d');",
      "  return [b(), c, fromDir, d].join(',');",
      '}',
    ].join('\n'),
    'main/b.ts': "export function b(): string { return 'b1'; }",
    'main/c.ts': "export const c: string = 'c';",
    'main/dir/index.ts': "export const fromDir = 'dir';",
    'main/d.ts': "export const d = 'd';",
    'main/a.test.ts': "throw new Error('tests are not compiled');",
    'common/shape.ts': 'export interface Shape { n: number }',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  writeFileSync(path.join(root, 'tsconfig.json'), '{"compilerOptions":{"target":"ES2022","module":"ESNext"}}');
}

/** Rewrite a source with a new mtime (two writes in one millisecond must still count as a change). */
function touchWrite(file: string, text: string, bumpS: number): void {
  writeFileSync(file, text);
  const t = statSync(file).mtime.getTime() / 1000 + bumpS;
  utimesSync(file, t, t);
}

describe('buildCli: one .js per .ts, imports pointing at compiled siblings', () => {
  const root = path.join(tmp, 'tree');
  const outDir = path.join(tmp, 'out');
  writeTree(root);
  const opts = { root, roots: ['main', 'common'], outDir };
  const load = async (): Promise<{ all: () => Promise<string>; here: string }> =>
    import(`${path.join(outDir, 'main/a.js')}?v=${Math.random()}`) as Promise<{ all: () => Promise<string>; here: string }>;

  it('compiles the tree (not tests) so that it runs: extensionless, .ts, folder-index and dynamic imports', async () => {
    const r = await buildCli(opts);
    expect(r.compiled).toBe(6);
    expect(existsSync(path.join(outDir, 'main/a.test.js'))).toBe(false);
    const mod = await load();
    expect(await mod.all()).toBe('b1,c,dir,d');
    // import.meta.url stays the compiled file's own: code finding siblings keeps working.
    expect(mod.here.endsWith('/out/main/a.js')).toBe(true);
    expect((await buildCli(opts)).compiled).toBe(0);
  });

  it('recompiles only what changed and removes outputs of deleted sources', async () => {
    touchWrite(path.join(root, 'main/b.ts'), "export function b(): string { return 'b2'; }", 5);
    rmSync(path.join(root, 'main/c.ts'));
    writeFileSync(path.join(root, 'main/c2.ts'), 'export const c2 = 2;');
    const r = await buildCli(opts);
    expect(r).toMatchObject({ compiled: 2, removed: 1 });
    expect(existsSync(path.join(outDir, 'main/c.js'))).toBe(false);
    expect(readFileSync(path.join(outDir, 'main/b.js'), 'utf8')).toContain('b2');
    writeFileSync(path.join(root, 'main/c.ts'), "export const c: string = 'c';");
    rmSync(path.join(root, 'main/c2.ts'));
  });

  it('a full rebuild (compiler or tsconfig changed) overwrites in place and drops outputs without a source', async () => {
    writeFileSync(path.join(outDir, 'main/stray.js'), 'export {};');
    touchWrite(path.join(root, 'tsconfig.json'), readFileSync(path.join(root, 'tsconfig.json'), 'utf8'), 3);
    // stray.js, and c2.js whose source the previous test deleted after its build.
    expect(await buildCli(opts)).toMatchObject({ compiled: 6, removed: 2 });
    expect(existsSync(path.join(outDir, 'main/stray.js'))).toBe(false);
    expect(existsSync(path.join(outDir, 'main/c2.js'))).toBe(false);
    expect(existsSync(path.join(outDir, 'main/a.js'))).toBe(true);
  });

  it('compiledEntry rebuilds a stale tree before answering, and answers null when a source does not compile', async () => {
    touchWrite(path.join(root, 'main/b.ts'), "export function b(): string { return 'b3'; }", 10);
    const url = await compiledEntry('main/a.ts', opts);
    expect(url?.href.endsWith('/out/main/a.js')).toBe(true);
    expect(readFileSync(path.join(outDir, 'main/b.js'), 'utf8')).toContain('b3');
    writeFileSync(path.join(root, 'main/bad.ts'), 'export const = ;');
    expect(await compiledEntry('main/a.ts', opts)).toBeNull();
    rmSync(path.join(root, 'main/bad.ts'));
  });

  it('refuses an import that leaves the compiled folders, naming both files', async () => {
    writeFileSync(path.join(root, 'main/out.ts'), "import { x } from '../elsewhere/x';\nexport const y = x;");
    mkdirSync(path.join(root, 'elsewhere'), { recursive: true });
    writeFileSync(path.join(root, 'elsewhere/x.ts'), 'export const x = 1;');
    await expect(buildCli(opts)).rejects.toThrow(/main\/out\.ts imports elsewhere\/x\.ts, outside main\/, common\//);
    rmSync(path.join(root, 'main/out.ts'));
  });
});

describe('bin/med3d.mjs runs the compiled CLI', () => {
  it('builds the real tree on first run and answers --version from it', () => {
    // Inside the repo, as out/cli is: the compiled files find node_modules by walking up.
    const outDir = path.join(REPO_ROOT, 'out', `cli-test-${process.pid}`);
    onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
    const run = () =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), '--version'], { encoding: 'utf8', env: { ...process.env, MED3D_CLI_BUILD_DIR: outDir }, timeout: 120_000 });
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(path.join(outDir, 'main/cli/index.js'))).toBe(true);
    expect(existsSync(path.join(outDir, 'main/engine/worker/engineWorkerMain.js'))).toBe(true);
    const manifest = statSync(path.join(outDir, 'manifest.json')).mtimeMs;
    expect(run().stdout.trim()).toBe(r.stdout.trim());
    // Nothing changed: the second start reuses the build.
    expect(statSync(path.join(outDir, 'manifest.json')).mtimeMs).toBe(manifest);
  });
});
