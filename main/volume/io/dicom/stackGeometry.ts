/**
 * Geometry of a stack of DICOM slices, pure functions only. Everything here is in the DICOM patient
 * frame (LPS mm); conversion to RAS happens once, when the Volume affine is built.
 *
 * Conventions (PS3.3 C.7.6.2): ImageOrientationPatient = [row direction (i grows along a row), column
 * direction (j grows down the columns)], ImagePositionPatient = centre of pixel (0,0),
 * PixelSpacing = [spacing between rows (along j), spacing between columns (along i)].
 */

export type V3 = [number, number, number];

export interface StackSlice<R = unknown> {
  position: V3;
  orientation: [number, number, number, number, number, number];
  pixelSpacing: [number, number];
  /** Distinguishes volumes sharing the same positions (echo, time point, dimension index). */
  stackKey?: string;
  /** Tie-break for equal positions: acquisition order (instance number, frame index). */
  order: number;
  ref: R;
}

export interface StackReport {
  sliceCount: number;
  normal: V3;
  /** Slice positions along the normal after sorting (mm). */
  positions: number[];
  /** Differences of consecutive positions (mm). */
  spacings: number[];
  /** Median of `spacings`: the spacing used for the volume. */
  spacing: number;
  uniform: boolean;
  /** Angle between the slice-to-slice position step and the normal (deg): gantry tilt / shear. */
  shearAngleDeg: number;
  /** Largest in-plane offset of a slice origin from the first slice's normal line (mm). */
  maxInplaneOffsetMm: number;
  /** Slices whose position repeats an earlier one. */
  duplicatePositions: number;
  /** Volumes found at the same positions (time points, echoes ...); 1 for a plain stack. */
  volumeCount: number;
}

export interface StackPlan<R> extends StackReport {
  /** Slices of the chosen volume, sorted along the normal. */
  slices: StackSlice<R>[];
  row: V3;
  col: V3;
  /** [column spacing (i), row spacing (j)] in mm. */
  inplaneSpacing: [number, number];
  warnings: string[];
}

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: V3): number => Math.sqrt(dot(a, a));
const scale = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
export const cross3 = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: V3): V3 => scale(a, 1 / (norm(a) || 1));

export function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Direction cosines closer than this (≈ 0.06°) are one orientation. */
const ORIENTATION_TOLERANCE = 1e-3;

/** Key that names an orientation (directions rounded to 1e-4). */
export function orientationKey(o: readonly number[]): string {
  return o.map((x) => (Math.round(x * 1e4) / 1e4 + 0).toFixed(4)).join('\\');
}

/**
 * Sort slices along their normal and measure the stack: spacing, uniformity, shear, duplicates.
 * With duplicate positions forming equal groups (several volumes), `volume` picks one (0-based).
 * Throws (with a plain message) when the slices cannot form a volume.
 */
export function planStack<R>(input: StackSlice<R>[], volume = 0): StackPlan<R> {
  if (input.length === 0) throw new Error('no image slices');
  const warnings: string[] = [];
  // Mixed orientations: keep the largest group, report the rest. Grouped by tolerance, not by rounded
  // keys: per-frame orientations of enhanced objects jitter in the last digits, and values straddling a
  // rounding boundary must not split one stack into many.
  const byOri = new Map<string, StackSlice<R>[]>();
  const reps: Array<{ key: string; o: readonly number[] }> = [];
  for (const s of input) {
    let rep = reps.find((r) => r.o.every((v, i) => Math.abs(v - s.orientation[i]) <= ORIENTATION_TOLERANCE));
    if (!rep) reps.push((rep = { key: orientationKey(s.orientation), o: s.orientation }));
    (byOri.get(rep.key) ?? byOri.set(rep.key, []).get(rep.key)!).push(s);
  }
  let slices = input;
  if (byOri.size > 1) {
    const groups = [...byOri.entries()].sort((a, b) => b[1].length - a[1].length);
    slices = groups[0][1];
    warnings.push(
      `mixed orientations: ${groups.length} ImageOrientationPatient values; using the ${slices.length} slices with [${groups[0][0].replace(/\\/g, ', ')}], ignoring ${input.length - slices.length} (${groups
        .slice(1)
        .map((g) => `${g[1].length} × [${g[0].replace(/\\/g, ', ')}]`)
        .join('; ')})`,
    );
  }
  const o = slices[0].orientation;
  const row = unit([o[0], o[1], o[2]]);
  const col = unit([o[3], o[4], o[5]]);
  if (Math.abs(dot(row, col)) > 1e-3) throw new Error(`ImageOrientationPatient row and column directions are not orthogonal (cos = ${dot(row, col).toFixed(4)})`);
  const normal = unit(cross3(row, col));
  const ps = slices[0].pixelSpacing;
  for (const s of slices) {
    if (Math.abs(s.pixelSpacing[0] - ps[0]) > 1e-4 || Math.abs(s.pixelSpacing[1] - ps[1]) > 1e-4) {
      throw new Error(`PixelSpacing differs between slices (${ps.join('\\')} vs ${s.pixelSpacing.join('\\')})`);
    }
  }
  const withD = slices.map((s) => ({ s, d: dot(s.position, normal) }));
  withD.sort((a, b) => a.d - b.d || a.s.order - b.s.order);

  // Duplicate positions: same place along the normal and in-plane.
  const tol = 1e-3 * Math.max(1, Math.min(ps[0], ps[1]));
  const positionsGroups: (typeof withD)[] = [];
  for (const e of withD) {
    const last = positionsGroups[positionsGroups.length - 1];
    if (last && Math.abs(e.d - last[0].d) < Math.max(tol, 1e-3) && norm(sub(e.s.position, last[0].s.position)) < Math.max(tol, 1e-2)) last.push(e);
    else positionsGroups.push([e]);
  }
  const duplicatePositions = withD.length - positionsGroups.length;
  let volumeCount = 1;
  let chosen = withD;
  if (duplicatePositions > 0) {
    const counts = new Set(positionsGroups.map((g) => g.length));
    if (counts.size !== 1) {
      throw new Error(
        `${duplicatePositions} slices repeat the position of another slice and the repeats are uneven (${[...counts].join(', ')} per position): cannot tell the volumes apart`,
      );
    }
    volumeCount = positionsGroups[0].length;
    if (volume < 0 || volume >= volumeCount) throw new Error(`volume ${volume} requested but the stack holds ${volumeCount} volumes at the same positions`);
    // Order within a position: by stack key when the keys tell volumes apart, else acquisition order.
    const keyed = positionsGroups.every((g) => new Set(g.map((e) => e.s.stackKey ?? '')).size === g.length);
    chosen = positionsGroups.map((g) => {
      const sorted = [...g].sort((a, b) => (keyed ? cmpKey(a.s.stackKey, b.s.stackKey) : 0) || a.s.order - b.s.order);
      return sorted[volume];
    });
    warnings.push(
      positionsGroups.length === 1
        ? `all ${withD.length} images share one position (not a 3D stack): loaded image ${volume + 1} of ${volumeCount} as a single slice`
        : `${volumeCount} volumes share the same ${positionsGroups.length} slice positions (time points, echoes or image types): loaded volume ${volume + 1} of ${volumeCount}; choose another with the frame option`,
    );
  }
  const positions = chosen.map((e) => e.d);
  const spacings = positions.slice(1).map((d, i) => d - positions[i]);
  const spacing = spacings.length ? median(spacings) : NaN;
  const stol = Math.max(1e-3, 5e-3 * (spacing || 1));
  const uniform = spacings.every((s) => Math.abs(s - spacing) <= stol);
  const first = chosen[0].s.position;
  let maxInplane = 0;
  for (const e of chosen) {
    const v = sub(e.s.position, first);
    const inplane = sub(v, scale(normal, dot(v, normal)));
    maxInplane = Math.max(maxInplane, norm(inplane));
  }
  let shearAngleDeg = 0;
  if (chosen.length > 1) {
    const v = sub(chosen[chosen.length - 1].s.position, first);
    const c = Math.min(1, Math.abs(dot(v, normal)) / (norm(v) || 1));
    shearAngleDeg = (Math.acos(c) * 180) / Math.PI;
  }
  return {
    slices: chosen.map((e) => e.s),
    sliceCount: chosen.length,
    normal,
    positions,
    spacings,
    spacing,
    uniform,
    shearAngleDeg,
    maxInplaneOffsetMm: maxInplane,
    duplicatePositions,
    volumeCount,
    row,
    col,
    inplaneSpacing: [ps[1], ps[0]],
    warnings,
  };
}

function cmpKey(a?: string, b?: string): number {
  return (a ?? '').localeCompare(b ?? '', undefined, { numeric: true });
}

/** True when slice origins lie on the normal line through the first one (no gantry tilt / shear). */
export function isOrthogonalStack(plan: StackReport, inplaneSpacing: [number, number]): boolean {
  return plan.maxInplaneOffsetMm <= 0.01 * Math.min(inplaneSpacing[0], inplaneSpacing[1]);
}

/**
 * LPS index→world affine (row-major 4x4) of an orthogonal or sheared grid: i along the row
 * direction, j along the column direction, k along `kStep` (mm per slice, LPS vector).
 */
export function lpsAffine(origin: V3, row: V3, col: V3, inplaneSpacing: [number, number], kStep: V3): Float64Array {
  const [si, sj] = inplaneSpacing;
  return Float64Array.from([
    row[0] * si, col[0] * sj, kStep[0], origin[0],
    row[1] * si, col[1] * sj, kStep[1], origin[1],
    row[2] * si, col[2] * sj, kStep[2], origin[2],
    0, 0, 0, 1,
  ]);
}

/** LPS → RAS: negate the x and y rows (PS3.3 LPS vs NIfTI/nibabel RAS+). */
export function lpsToRasAffine(lps: Float64Array): Float64Array {
  const m = Float64Array.from(lps);
  for (let c = 0; c < 4; c++) {
    m[c] = -m[c] + 0;
    m[4 + c] = -m[4 + c] + 0;
  }
  return m;
}

export { dot, norm, sub, scale };
