import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the product's own `med3d` commands for the learning benchmark and the transfer experiment,
 * as a user would: a child process per command, progress passed through to our stderr, `--json`
 * events read line by line and stamped with the wall-clock minute they arrived (for "quality
 * against minutes of training" curves).
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Med3dRun {
  /** Everything the command printed on stdout. */
  stdout: string;
  /** Parsed `--json` event lines, each with the minutes since the command started. */
  events: Array<Record<string, unknown> & { event: string; atMinutes: number }>;
  minutes: number;
}

export function med3d(args: string[]): Promise<Med3dRun> {
  process.stderr.write(`\n$ med3d ${args.join(' ')}\n`);
  const t0 = performance.now();
  const since = (): number => (performance.now() - t0) / 60000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/med3d.mjs'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let pending = '';
    const events: Med3dRun['events'] = [];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        if (!l.startsWith('{"event"')) continue;
        events.push({ ...(JSON.parse(l) as { event: string }), atMinutes: since() });
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, events, minutes: since() }) : reject(new Error(`med3d ${args.slice(0, 2).join(' ')} exited with ${code}`))));
  });
}

/** Validation metric `key` against minutes of training, from a `train --json` / `pretrain --json` run. */
export function metricCurve(run: Med3dRun, key: string): Array<{ minutes: number; step: number; value: number }> {
  return run.events
    .filter((e) => e.event === 'validation')
    .map((e) => ({ minutes: +e.atMinutes.toFixed(3), step: e.step as number, value: (e.metrics as Record<string, number>)[key] }))
    .filter((p) => Number.isFinite(p.value));
}
