/**
 * Kill -9 rounds against a workspace: start writer.ts in a child process, let it write for a
 * while, SIGKILL it wherever it is, then check that the workspace opens and every file its
 * manifest lists is present and loads. Used by killSafety.test.ts (a few rounds) and by
 * `npm run kill-safety` (many rounds).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Workspace } from '../../main/workspace/Workspace';
import { readCheckpoint, type Med3dCheckpoint } from '../../main/engine/weights/checkpoint';
import { modelLayout } from '../../main/engine/weights/resnetLayout';
import type { ModelSpec } from '../../main/engine/models/ModelSpec';
import type { StateDict } from '../../main/engine/nn/StateDict';
import type { CaseGrid } from '../../main/workspace/manifest';
import { REPO_ROOT } from '../sharedDir';

export const KILL_WRITERS = ['label', 'manifest', 'checkpoint'] as const;
export type KillWriter = (typeof KILL_WRITERS)[number];

/** Big enough that a label save and a checkpoint write take a while (more kills land mid-write). */
const GRID: CaseGrid = { dims: [64, 64, 40], spacing: [1, 1, 2], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1] };
const SPEC: ModelSpec = { backbone: { depth: 10, shortcut: 'B', baseWidth: 16, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 8 } };

/** A ~4 MB checkpoint whose values depend on `k` (so consecutive versions differ). */
export function checkpointSample(k: number): Med3dCheckpoint {
  const sd: StateDict = new Map();
  for (const [key, e] of modelLayout(SPEC).layout) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    sd.set(key, e.dtype === 'int64' ? { dtype: 'int64', shape: e.shape, data: new BigInt64Array(n).fill(BigInt(k)) } : { dtype: 'float32', shape: e.shape, data: Float32Array.from({ length: n }, (_, i) => ((i + k) % 97) / 97) });
  }
  return { spec: SPEC, stateDict: sd, meta: { createdAt: new Date().toISOString(), task: 'lung-segmentation', history: [{ step: k }] } };
}

/** A new workspace at `root` with one case (with a grid) to save labels on. */
export async function setupWorkspace(root: string): Promise<void> {
  const ws = await Workspace.open(root, { create: true, log: () => undefined });
  await ws.addCase(path.join(root, '..', 'scan.nii.gz'), { grid: GRID });
}

export interface RoundResult {
  /** Loop iterations the writer completed before the kill, per writer. */
  completed: Record<string, number>;
  /** Lines the workspace logged on reopening (swept files, lock takeover). */
  sweptOrTakenOver: string[];
  /** Files listed by the manifest, all checked to load. */
  listedFiles: number;
}

/** Start the writer, wait until it has done `minLoops` iterations of each writer plus `extraMs`, kill -9 it, verify. */
export async function killRound(root: string, writers: readonly KillWriter[], opts: { extraMs: number; minLoops?: number }): Promise<RoundResult> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'run-ts.mjs'), path.join(REPO_ROOT, 'test/killSafety/writer.ts'), root, writers.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const completed: Record<string, number> = Object.fromEntries(writers.map((w) => [w, 0]));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const [w] = l.split(' ');
        if (w in completed) completed[w]++;
      }
      if (writers.every((w) => completed[w] >= (opts.minLoops ?? 1))) resolve();
    });
    void exited.then(() => reject(new Error(`writer exited before it was killed: ${stderr.trim()}`)));
  });
  await new Promise((r) => setTimeout(r, opts.extraMs));
  child.kill('SIGKILL');
  await exited;
  const logs: string[] = [];
  const listedFiles = await verifyWorkspace(root, (m) => logs.push(m));
  return { completed, sweptOrTakenOver: logs, listedFiles };
}

/**
 * Open the workspace as the app would, then load every listed label version, recovery file and
 * model checkpoint. Throws naming the first file that is missing or does not load; returns how
 * many listed files were checked.
 */
export async function verifyWorkspace(root: string, log: (msg: string) => void): Promise<number> {
  const ws = await Workspace.open(root, { log, lock: { timeoutMs: 10_000 } });
  let n = 0;
  for (const c of ws.snapshot().cases) {
    const grid = ws.caseGrid(c.caseId);
    for (const v of ws.listLabelVersions(c.caseId)) {
      const l = await ws.loadLabel(c.caseId, v.version);
      if (!l || (grid && l.labels.length !== grid.dims[0] * grid.dims[1] * grid.dims[2])) throw new Error(`label ${v.file} of ${c.caseId} has the wrong size`);
      n++;
    }
    await ws.loadRecovery(c.caseId);
  }
  for (const m of ws.listModels()) {
    await readCheckpoint(ws.abs(m.file));
    n++;
  }
  const ids = ws.snapshot().cases.map((c) => c.caseId);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate case ids in ${root}`);
  await fs.access(path.join(root, 'med3d-workspace.json'));
  return n;
}

/**
 * Kill -9 during `med3d train` (a tiny segmentation model on `dataRoot`, checkpoints as often as
 * possible): wait for the first resume checkpoint, then `delayMs`, kill. Returns the files the run
 * left in `outDir`, each checked to load (models and checkpoints, JSON, SVG); throws otherwise.
 */
export async function trainKillRound(dataRoot: string, outDir: string, delayMs: number, seed: number): Promise<string[]> {
  const ckpt = path.join(outDir, 'm.checkpoint.m3d');
  const args = ['train', '--task', 'segment', '--data', dataRoot, '--out', path.join(outDir, 'm.m3d'), '--steps', '8', '--width', '2', '--patch', '16,16,16', '--batch-size', '1', '--checkpoint-every', '0.001', '--seed', String(seed)];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let finished = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      finished = true;
      resolve(code);
    }),
  );
  while (!existsSync(ckpt) && !finished) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  const code = await exited;
  if (code !== null && code !== 0) throw new Error(`med3d train failed before the kill (exit ${code}): ${stderr.trim()}`);
  const names = (await fs.readdir(outDir).catch(() => [] as string[])).filter((n) => !n.endsWith('.tmp'));
  for (const n of names) {
    const f = path.join(outDir, n);
    if (n.endsWith('.m3d')) await readCheckpoint(f);
    else if (n.endsWith('.json')) JSON.parse(await fs.readFile(f, 'utf8'));
    else if (n.endsWith('.svg') && !/<\/svg>\s*$/.test(await fs.readFile(f, 'utf8'))) throw new Error(`${f} is torn`);
  }
  return names;
}
