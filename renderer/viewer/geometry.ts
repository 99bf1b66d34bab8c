/**
 * Grid geometry between our volumes (RAS+ affine, main/volume/Volume.ts) and cornerstone3D,
 * whose world frame is DICOM LPS and whose volumes want an origin, unit axis directions and a
 * spacing. Pure functions: the viewer and the tests share them.
 */
export type V3 = [number, number, number];

export interface DisplayGeometry {
  dims: V3;
  spacing: V3;
  /** World LPS mm of voxel (0, 0, 0) of the display grid. */
  origin: V3;
  /** Unit vectors of the i, j, k axes in LPS, flattened (cornerstone's `direction`). */
  direction: [number, number, number, number, number, number, number, number, number];
  /**
   * True when the source grid is left-handed (e.g. a NIfTI stored L→R): the display grid then
   * runs k backwards so cornerstone gets a right-handed frame, and voxel data is mirrored along k
   * on the way in (flipSlicesK) and out.
   */
  flipK: boolean;
}

/** RAS+ row-major 4x4 affine (16 numbers) of a dims grid → cornerstone display geometry. */
export function displayGeometryFromRas(affine: ArrayLike<number>, dims: V3): DisplayGeometry {
  if (affine.length !== 16) throw new Error(`affine must have 16 numbers, got ${affine.length}`);
  const col = (c: number): V3 => [-affine[c], -affine[4 + c], affine[8 + c]]; // RAS → LPS: negate x, y
  const cols = [col(0), col(1), col(2)];
  const spacing = cols.map((v) => Math.hypot(v[0], v[1], v[2])) as V3;
  if (spacing.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error(`affine has a zero or invalid voxel size: ${spacing.join(' x ')}`);
  const dirs = cols.map((v, c) => v.map((x) => x / spacing[c]) as V3);
  let origin: V3 = [-affine[3], -affine[7], affine[11]];
  const det = dot(cross(dirs[0], dirs[1]), dirs[2]);
  const flipK = det < 0;
  if (flipK) {
    origin = add(origin, scale(cols[2], dims[2] - 1));
    dirs[2] = scale(dirs[2], -1);
  }
  return { dims: [...dims] as V3, spacing, origin, direction: [...dirs[0], ...dirs[1], ...dirs[2]] as DisplayGeometry['direction'], flipK };
}

/** Continuous display-grid index (i, j, k) of a world LPS point. */
export function worldToIndex(g: DisplayGeometry, p: V3): V3 {
  const d = sub(p, g.origin);
  const dir = g.direction;
  // The axes need not be orthogonal (sheared DICOM stacks): solve the 3x3 system.
  const m: V3[] = [0, 1, 2].map((c) => scale([dir[3 * c], dir[3 * c + 1], dir[3 * c + 2]], g.spacing[c]));
  const inv = invert3(m[0], m[1], m[2]);
  return [dot(inv[0], d), dot(inv[1], d), dot(inv[2], d)];
}

/** World LPS of a display-grid index. */
export function indexToWorld(g: DisplayGeometry, ijk: V3): V3 {
  const dir = g.direction;
  let p: V3 = [...g.origin];
  for (let c = 0; c < 3; c++) p = add(p, scale([dir[3 * c], dir[3 * c + 1], dir[3 * c + 2]], g.spacing[c] * ijk[c]));
  return p;
}

/** Display-grid index → index in the source (API) grid, undoing flipK. */
export function displayToSourceIndex(g: DisplayGeometry, ijk: V3): V3 {
  return g.flipK ? [ijk[0], ijk[1], g.dims[2] - 1 - ijk[2]] : ijk;
}

export function lpsToRas(p: V3): V3 {
  return [-p[0], -p[1], p[2]];
}

/** Mirrors voxel data along k in place (source order ↔ display order when flipK). */
export function flipSlicesK<T extends { subarray(a: number, b: number): T; set(a: T, o: number): void; slice(a: number, b: number): T }>(data: T, dims: V3): void {
  const s = dims[0] * dims[1];
  for (let k = 0; k < Math.floor(dims[2] / 2); k++) {
    const a = k * s;
    const b = (dims[2] - 1 - k) * s;
    const tmp = data.slice(a, a + s);
    data.set(data.subarray(b, b + s), a);
    data.set(tmp, b);
  }
}

/** Index axis (0 i, 1 j, 2 k) most aligned with a world direction (e.g. a view's plane normal). */
export function closestAxis(g: DisplayGeometry, v: V3): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  let bestDot = -1;
  for (let c = 0 as 0 | 1 | 2; c < 3; c = (c + 1) as 0 | 1 | 2) {
    const d = Math.abs(dot([g.direction[3 * c], g.direction[3 * c + 1], g.direction[3 * c + 2]], v));
    if (d > bestDot) {
      bestDot = d;
      best = c;
    }
    if (c === 2) break;
  }
  return best;
}

/**
 * Patient-direction letter(s) of an LPS vector, strongest component first (like Slicer/OHIF
 * markers): +x Left, -x Right, +y Posterior, -y Anterior, +z Superior, -z Inferior. Components
 * under 0.25 are left out ('' for the zero vector).
 */
export function orientationLetters(v: V3): string {
  const letters: Array<[number, string]> = [
    [v[0], v[0] > 0 ? 'L' : 'R'],
    [v[1], v[1] > 0 ? 'P' : 'A'],
    [v[2], v[2] > 0 ? 'S' : 'I'],
  ];
  return letters
    .filter(([x]) => Math.abs(x) >= 0.25)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([, l]) => l)
    .join('');
}

/** Screen-right direction of a camera: viewUp × viewPlaneNormal (cornerstone convention). */
export function viewRight(viewUp: V3, viewPlaneNormal: V3): V3 {
  return cross(viewUp, viewPlaneNormal);
}

export function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
export function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function add(a: V3, b: V3): V3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
function sub(a: V3, b: V3): V3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function scale(a: V3, s: number): V3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}
/** Rows of the inverse of the matrix whose COLUMNS are a, b, c. */
function invert3(a: V3, b: V3, c: V3): [V3, V3, V3] {
  const det = dot(a, cross(b, c));
  if (Math.abs(det) < 1e-12) throw new Error('grid axes are degenerate (zero volume)');
  return [scale(cross(b, c), 1 / det), scale(cross(c, a), 1 / det), scale(cross(a, b), 1 / det)];
}
