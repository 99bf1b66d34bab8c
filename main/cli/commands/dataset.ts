import type { Command } from 'commander';
import { Option } from 'commander';
import { DatasetError } from '../../datasets/DatasetError';
import type { CoordFrame, OpenDatasetOptions } from '../../datasets/Dataset';
import { inspectDataset, type DatasetInspection } from '../../datasets/inspectDataset';
import { openDataset } from '../../datasets/openDataset';
import { CliError } from '../CliError';

/** `--coords` and `--drop-indeterminate`: how a classification CSV is read (train, evaluate and inspect share them). */
export function addDatasetReadOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--coords <frame>', "frame of a CSV's x, y, z: lps (world mm, as LUNA16), ras (world mm) or voxel (i, j, k)").choices(['lps', 'ras', 'voxel']).default('lps'))
    .option('--drop-indeterminate', 'CSV with malignancy: drop rows rated 3 instead of counting them benign');
}

export function datasetReadOptions(o: { coords?: string; dropIndeterminate?: boolean }): OpenDatasetOptions {
  return { coords: (o.coords ?? 'lps') as CoordFrame, dropIndeterminate: !!o.dropIndeterminate };
}

/** Dataset errors become one-line CLI errors (exit 1); anything else propagates. */
export async function datasetGuard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DatasetError) throw new CliError(err.message, 1);
    throw err;
  }
}

const f = (x: number, d = 2): string => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(d)) : 'n/a');
const v3 = (v: number[], d = 2): string => v.map((x) => f(x, d)).join(' x ');

function printInspection(r: DatasetInspection): string {
  const c = r.counts;
  const lines = [`dataset:    ${r.name} (${r.kind}, ${r.layout}) at ${r.path}`];
  if (r.kind === 'segmentation') {
    lines.push(`cases:      ${c.total} (${c.train} train, ${c.test} test, ${c.labelled} labelled); ${c.usable} usable, ${c.skipped} with problems`);
    lines.push('labels:');
    for (const l of r.labels) lines.push(`  ${String(l.value).padStart(3)} ${l.name.padEnd(20)} ${String(l.voxels).padStart(10)} voxels ${f(l.ml).padStart(10)} mL  in ${l.cases} case(s), mean ${f(l.meanMl)} mL`);
  } else {
    const k = r.classes!;
    lines.push(`rows:       ${c.total}; ${c.usable} usable, ${c.skipped} with problems, ${c.dropped} dropped`);
    lines.push(`classes:    ${k.benign} benign, ${k.malignant} malignant`);
    const m = Object.entries(k.malignancy);
    if (m.length) lines.push(`malignancy: ${m.map(([level, n]) => `${level}: ${n}`).join(', ')}`);
    if (k.diameterMm) lines.push(`diameter:   ${f(k.diameterMm.min)}–${f(k.diameterMm.max)} mm (median ${f(k.diameterMm.median)})`);
  }
  lines.push(
    `images:     ${r.images.length}; orientations ${Object.entries(r.orientations).map(([o, n]) => `${o} ${n}`).join(', ') || 'n/a'}`,
    `spacing:    median ${v3(r.spacing.median, 3)} mm (R, A, S; Med3D target spacing); min ${v3(r.spacing.min, 3)}, max ${v3(r.spacing.max, 3)}`,
    `dims:       median ${v3(r.dims.median, 0)}; min ${v3(r.dims.min, 0)}, max ${v3(r.dims.max, 0)}`,
    `intensity:  p0.5 ${f(r.intensity.p0_5)}, p99.5 ${f(r.intensity.p99_5)}, mean ${f(r.intensity.mean)}, std ${f(r.intensity.std)} (${r.intensity.sampled} voxels sampled)`,
  );
  const fg = r.intensity.foreground;
  if (fg) lines.push(`foreground: p0.5 ${f(fg.p0_5)}, p99.5 ${f(fg.p99_5)}, mean ${f(fg.mean)}, std ${f(fg.std)} (inside labels)`);
  if (r.problems.length) lines.push(`problems (${r.problems.length}):`, ...r.problems.map((p) => `  - ${p.id}: ${p.file}: ${p.reason}`));
  else lines.push('problems:   none');
  if (r.dropped.length) lines.push(`dropped (${r.dropped.length}):`, ...r.dropped.map((d) => `  - ${d.reason}`));
  if (r.warnings.length) lines.push(`warnings (${r.warnings.length}):`, ...r.warnings.map((w) => `  - ${w}`));
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const dataset = program.command('dataset').description('Labelled datasets for train / evaluate / pretrain (MSD, nnU-Net v1/v2, images/ + labels/, nodule CSV).');
  addDatasetReadOptions(
    dataset
      .command('inspect')
      .description('Check every case and summarise a dataset: cases, labels (voxels, mL), spacing (median = Med3D target), intensity percentiles, problems. Exit 0 all usable, 2 problems found, 1 not a dataset')
      .argument('<dir|csv>', 'dataset folder (MSD / nnU-Net v1 / nnU-Net v2 / images+labels) or classification .csv')
      .option('--json', 'print the summary as JSON'),
  ).action(async (input: string, o: { json?: boolean; coords?: string; dropIndeterminate?: boolean }) => {
    // Loading every case takes a while on real datasets: a live count on a terminal only.
    const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rchecking ${done}/${total}${done === total ? '\r\x1b[K' : ''}`) : undefined;
    const report = await datasetGuard(async () => inspectDataset(await openDataset(input, datasetReadOptions(o)), input, progress));
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : printInspection(report));
    // Scripts can gate on it: 0 = every case usable, 2 = problems found (listed above).
    if (report.problems.length) process.exitCode = 2;
  });
}
