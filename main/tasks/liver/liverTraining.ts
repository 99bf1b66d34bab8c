import type { Vec3, Volume } from '../../volume/Volume';
import { boundingBox, cropBox, expandBox, type Box } from '../../volume/preprocess/box';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';

/**
 * Training-time pieces of the two-stage liver pipeline (Med3D paper): the fine stage sees the
 * liver ROI cropped with a random expansion (so it does not rely on a perfectly tight box) and
 * random rotation / translation of each patch.
 */
export function randomExpandedCrop(ct: Volume, liver: Uint8Array, seed: number, maxExpandMm = 25): { ct: Volume; labels: Uint8Array; box: Box } | null {
  const b = boundingBox(liver, ct.dims);
  if (!b) return null;
  const randomMax = ct.spacing.map((s) => Math.max(1, Math.round(maxExpandMm / s))) as Vec3;
  const box = expandBox(b, { randomMax, rng: seededRandom(seed), clampTo: ct.dims });
  const crop = cropBox(ct, box);
  const lab = cropBox({ ...ct, data: liver }, box);
  return { ct: crop, labels: lab.data as Uint8Array, box };
}

/**
 * Rotate a patch about its centre in the i-j (axial) plane by up to `maxDeg` degrees and shift it
 * by up to `maxShift` voxels per axis: bilinear for the image, nearest for the labels, edge
 * values outside. Works on the flat i-fastest patches the trainer draws.
 */
export function rotateTranslate(
  p: { input: Float32Array; labels: Int32Array },
  dims: Vec3,
  rng: SeededRandom,
  maxDeg = 10,
  maxShift = 3,
): { input: Float32Array; labels: Int32Array } {
  const [nx, ny, nz] = dims;
  const a = (rng.uniform(-maxDeg, maxDeg) * Math.PI) / 180;
  const tz = maxShift > 0 ? Math.max(1, maxShift >> 1) : 0;
  const t = [rng.int(-maxShift, maxShift), rng.int(-maxShift, maxShift), rng.int(-tz, tz)];
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = (nx - 1) / 2;
  const cy = (ny - 1) / 2;
  const input = new Float32Array(p.input.length);
  const labels = new Int32Array(p.labels.length);
  const at = (i: number, j: number, k: number): number => Math.min(nx - 1, Math.max(0, i)) + nx * (Math.min(ny - 1, Math.max(0, j)) + ny * Math.min(nz - 1, Math.max(0, k)));
  for (let k = 0; k < nz; k++) {
    const sk = k - t[2];
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        // Inverse map: output voxel ← source position.
        const x = i - cx - t[0];
        const y = j - cy - t[1];
        const si = c * x + s * y + cx;
        const sj = -s * x + c * y + cy;
        const i0 = Math.floor(si);
        const j0 = Math.floor(sj);
        const fi = si - i0;
        const fj = sj - j0;
        const o = i + nx * (j + ny * k);
        input[o] =
          (1 - fi) * (1 - fj) * p.input[at(i0, j0, sk)] + fi * (1 - fj) * p.input[at(i0 + 1, j0, sk)] + (1 - fi) * fj * p.input[at(i0, j0 + 1, sk)] + fi * fj * p.input[at(i0 + 1, j0 + 1, sk)];
        labels[o] = p.labels[at(Math.round(si), Math.round(sj), sk)];
      }
  }
  return { input, labels };
}
