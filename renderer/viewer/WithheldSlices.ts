import { cache, type Types } from '@cornerstonejs/core';

/**
 * The k-slices of a streamed scan that have not arrived yet, kept out of cornerstone's image
 * cache. Its volume texture uploads every slice whose image is cached when it is first built (and
 * again whenever it is marked whole), and a slice still to arrive holds zeros: with software WebGL
 * each 512×512 slice costs a float conversion and a copy. So the images createLocalVolume made for
 * those slices (views into the one scan array) are taken out here and each is put back, as it
 * is, when its voxels arrive: the first render uploads the arrived slices alone, every other slice
 * is uploaded once (was: the images re-created on arrival, a min/max pass and metadata each).
 */
export class WithheldSlices {
  private readonly held = new Map<number, Types.IImage>();

  constructor(
    private readonly imageIds: readonly string[],
    arrived: ReadonlySet<number>,
  ) {
    imageIds.forEach((id, k) => {
      const image = arrived.has(k) ? undefined : cache.getImage(id);
      if (!image) return;
      this.held.set(k, image);
      cache.removeImageLoadObject(id, { force: true });
    });
  }

  /** Slice k's voxels have arrived: its image goes back into the cache, to be uploaded on the next render. */
  release(k: number): void {
    const image = this.held.get(k);
    if (!image) return;
    this.held.delete(k);
    cache.putImageSync(this.imageIds[k], image);
  }
}
