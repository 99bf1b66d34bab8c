import type { MprViewer, ViewName } from '../viewer/MprViewer';

/**
 * The case's source voxel (i, j, k, continuous) under a client point in a view, or null outside
 * the scan. The views draw a display grid whose k may run opposite to the source's (flipK); API
 * requests in the 'voxel' frame mean the source grid.
 */
export function sourceVoxelAt(viewer: MprViewer, view: ViewName, clientX: number, clientY: number): [number, number, number] | null {
  const g = viewer.displayGeometry;
  const d = viewer.indexAtClient(view, clientX, clientY);
  if (!g || !d) return null;
  const ijk: [number, number, number] = [d[0], d[1], g.flipK ? g.dims[2] - 1 - d[2] : d[2]];
  return ijk.every((x, a) => x >= -0.5 && x <= g.dims[a] - 0.5) ? ijk : null;
}
