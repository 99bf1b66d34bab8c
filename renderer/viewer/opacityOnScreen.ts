/**
 * The opacity a labelmap voxel filled at opacity `a` shows with in an MPR view: vtk.js's volume
 * mapper builds its opacity table corrected for the sample distance,
 * 1 − (1 − a)^(sample distance / opacity unit distance), and an MPR slab is one sample thick.
 * Measured in the app: 0.5 shows as 0.371 on 1 × 1 × 2 mm voxels (exponent 4/6) and 0.32 on
 * 0.48 × 0.48 × 2.37 mm (0.555).
 */
export function opacityOnScreen(a: number, exponent: number): number {
  return 1 - Math.pow(1 - Math.min(1, Math.max(0, a)), exponent);
}
