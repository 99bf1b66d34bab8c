import type { LabelDef } from '../../common/api/types';
import type { Mat4, Vec3, VoxelArray } from '../volume/Volume';

/**
 * Bring label values of a foreign mask (a dataset, a NIfTI or DICOM SEG file) onto the workspace's
 * label table, by name where the source has names: "liver" → Liver, "lung_right" → Right lung
 * (word order, case, '_' / '-' and plurals do not matter). A single "lung" label on a workspace
 * with a right and a left lung is split by side (patient's right = +x in RAS+), the way the lung
 * task and its models label lungs. A source value without a name ("1", "label 2") keeps its value.
 * A name the workspace does not know becomes a new workspace label (its value when free, else the
 * lowest free one), so nothing imported is silently dropped. `notes` says what went where.
 */
export interface SourceLabel {
  value: number;
  name: string;
}

/** What each source value becomes: a workspace value, or 'sides' (right/left lung by the voxel's side). */
export type ValueTarget = number | { sides: { right: number; left: number } };

export interface LabelValuePlan {
  targets: Map<number, ValueTarget>;
  /** Labels to add to the workspace's table before saving. */
  added: LabelDef[];
  /** One line per source label: `2 "lung_right" → 1 Right lung`. */
  notes: string[];
}

const PALETTE: Vec3[] = [
  [120, 200, 120],
  [200, 120, 200],
  [120, 200, 220],
  [230, 160, 90],
  [160, 160, 240],
  [230, 110, 130],
];

function words(name: string): string {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
    .sort()
    .join(' ');
}

/** A name that carries no meaning of its own: empty, a number, 'label 3', 'segment 2'. */
function unnamed(name: string): boolean {
  const w = words(name);
  return w === '' || /^\d+( (class|label|segment))?$/.test(w);
}

export function planLabelValues(source: readonly SourceLabel[], workspace: readonly LabelDef[]): LabelValuePlan {
  const table = workspace.map((l) => ({ ...l }));
  const byWords = (n: string): LabelDef | undefined => table.find((l) => words(l.name) === words(n));
  const targets = new Map<number, ValueTarget>();
  const added: LabelDef[] = [];
  const notes: string[] = [];
  const describe = (v: number): string => `${v} ${table.find((l) => l.value === v)?.name ?? '(no name)'}`;
  for (const s of source) {
    if (s.value === 0) continue;
    const from = `${s.value} "${s.name}"`;
    const same = byWords(s.name);
    if (same) {
      targets.set(s.value, same.value);
      notes.push(`${from} → ${describe(same.value)}`);
      continue;
    }
    const right = byWords('right lung');
    const left = byWords('left lung');
    if (words(s.name) === 'lung' && right && left) {
      targets.set(s.value, { sides: { right: right.value, left: left.value } });
      notes.push(`${from} → ${describe(right.value)} / ${describe(left.value)} (split by side)`);
      continue;
    }
    if (unnamed(s.name) && s.value <= 255) {
      targets.set(s.value, s.value);
      if (!table.some((l) => l.value === s.value)) {
        const def: LabelDef = { value: s.value, name: `Label ${s.value}`, color: PALETTE[added.length % PALETTE.length] };
        table.push(def);
        added.push(def);
        notes.push(`${from} → ${describe(s.value)} (added to the workspace's labels)`);
      } else notes.push(`${from} → ${describe(s.value)} (by value)`);
      continue;
    }
    const taken = new Set(table.map((l) => l.value));
    let value = s.value >= 1 && s.value <= 255 && !taken.has(s.value) ? s.value : 0;
    for (let v = 1; !value && v <= 255; v++) if (!taken.has(v)) value = v;
    if (!value) throw new Error(`no free label value left in the workspace's table for "${s.name}"`);
    const def: LabelDef = { value, name: s.name, color: PALETTE[added.length % PALETTE.length] };
    table.push(def);
    added.push(def);
    targets.set(s.value, value);
    notes.push(`${from} → ${describe(value)} (added to the workspace's labels)`);
  }
  return { targets, added, notes };
}

/**
 * Apply a plan to voxels on a grid (i fastest; `affine` voxel → RAS+ mm). Values the plan does not
 * name become 0. 'sides' splits at the world x of that label's own centre of mass, so a field of
 * view off the body's midline does not move the split.
 */
export function applyLabelValues(data: VoxelArray, dims: Vec3, affine: Mat4, plan: LabelValuePlan): Uint8Array {
  const out = new Uint8Array(data.length);
  const lut = new Map<number, number>();
  const sides = new Map<number, { right: number; left: number; splitX: number }>();
  for (const [v, t] of plan.targets) {
    if (typeof t === 'number') lut.set(v, t);
    else sides.set(v, { ...t.sides, splitX: 0 });
  }
  if (sides.size) {
    const sum = new Map<number, { x: number; n: number }>([...sides.keys()].map((v) => [v, { x: 0, n: 0 }]));
    forEachWorldX(dims, affine, (p, x) => {
      const s = sum.get(data[p]);
      if (s) (s.x += x), s.n++;
    });
    for (const [v, s] of sum) if (s.n) sides.get(v)!.splitX = s.x / s.n;
    forEachWorldX(dims, affine, (p, x) => {
      const s = sides.get(data[p]);
      if (s) out[p] = x > s.splitX ? s.right : s.left;
    });
  }
  for (let p = 0; p < data.length; p++) if (!out[p]) out[p] = lut.get(data[p]) ?? 0;
  return out;
}

function forEachWorldX(dims: Vec3, a: Mat4, fn: (p: number, x: number) => void): void {
  for (let k = 0, p = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) {
      const x0 = a[1] * j + a[2] * k + a[3];
      for (let i = 0; i < dims[0]; i++, p++) fn(p, a[0] * i + x0);
    }
}
