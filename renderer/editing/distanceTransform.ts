import { squaredDistance } from '../../common/geometry/distanceTransform';

// 2D wrappers over the one exact Euclidean distance transform (common/geometry), for slice interpolation.

/**
 * Squared distance (mm²) from every pixel of a w×h image (x fastest) to the nearest pixel where
 * `feature` is true; EDT_INF (1e20) when there is none.
 */
export function squaredDistance2d(feature: (idx: number) => boolean, w: number, h: number, sx: number, sy: number): Float64Array {
  const mask = new Uint8Array(w * h);
  for (let idx = 0; idx < w * h; idx++) mask[idx] = feature(idx) ? 1 : 0;
  return squaredDistance(mask, [w, h], [sx, sy]);
}

/** Signed distance in mm: negative inside the mask, positive outside (0-crossing at the boundary). */
export function signedDistance2d(inside: (idx: number) => boolean, w: number, h: number, sx: number, sy: number): Float64Array {
  const toInside = squaredDistance2d(inside, w, h, sx, sy);
  const toOutside = squaredDistance2d((idx) => !inside(idx), w, h, sx, sy);
  const out = new Float64Array(w * h);
  for (let idx = 0; idx < w * h; idx++) {
    out[idx] = inside(idx) ? -Math.sqrt(toOutside[idx]) + 0.5 * Math.min(sx, sy) : Math.sqrt(toInside[idx]) - 0.5 * Math.min(sx, sy);
  }
  return out;
}
