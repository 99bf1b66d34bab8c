import type { LabelDef, VolumeHeader, VoxelDType } from '../../common/api';
import { slabPlan, slicesPerSlab, type Slab } from './slabPlan';

/** What streamVolume needs of the viewer (MprViewer; a fake in tests). */
export interface SlabSink {
  createVolume(header: VolumeHeader, labelDefs: LabelDef[], first: { kStart: number; data: ArrayBuffer }, window: { width: number; center: number }): Promise<void>;
  writeSlab(kStart: number, data: ArrayBuffer): void;
  /** Draws what writeSlab wrote but has not drawn yet; resolves when the views show it. */
  finishSlabs(): Promise<void>;
  /** Changes whenever another volume replaces the one being streamed. */
  readonly generation: number;
}

export interface StreamOptions {
  /** The window the views open in (set before anything is drawn). */
  window: { width: number; center: number };
  /** Bytes per slab after the first (default 16 MiB: 32 slices of a 512×512 int16 CT). */
  slabBytes?: number;
  /** Fraction of the slices arrived, after each slab. */
  onProgress?: (fraction: number) => void;
  /** The views are up, showing the first slab (the slices where they open). */
  onShown?: () => void;
}

/** Slab requests outstanding at once once the views are up: the server prepares the next while one crosses. */
const IN_FLIGHT = 2;

const BYTES: Record<VoxelDType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

/**
 * Opens a volume progressively: the centre slices (where the views open) are fetched alone and
 * the views come up with them; the other slabs follow, written into the same scan array while
 * the views are in use, with two slab requests outstanding so the transfer never waits on a
 * redraw. Resolves when every slice has arrived and been drawn, or early (false) when another
 * volume replaced this one meanwhile.
 */
export async function streamVolume(
  sink: SlabSink,
  header: VolumeHeader,
  labelDefs: LabelDef[],
  fetchSlab: (s: Slab) => Promise<ArrayBuffer>,
  opts: StreamOptions,
): Promise<boolean> {
  const [nx, ny, nz] = header.dims;
  const plan = slabPlan(nz, slicesPerSlab(nx * ny * BYTES[header.dtype], opts.slabBytes ?? 16 * 2 ** 20));
  let arrived = 0;
  let generation = NaN;
  const inFlight: Array<Promise<ArrayBuffer>> = [];
  let requested = 0;
  const request = (upTo: number): void => {
    while (requested < plan.length && inFlight.length < upTo) {
      const p = fetchSlab(plan[requested++]);
      // Marked handled now: after a failed or abandoned slab nobody awaits the ones still in flight.
      p.catch(() => undefined);
      inFlight.push(p);
    }
  };
  // The centre slab alone: slabs arriving meanwhile would compete with the volume creation and
  // first render for the page's one thread, and the first image needs none of them.
  request(1);
  for (let n = 0; n < plan.length; n++) {
    const data = await inFlight.shift()!;
    if (n === 0) {
      await sink.createVolume(header, labelDefs, { kStart: plan[0].kStart, data }, opts.window);
      generation = sink.generation;
      request(IN_FLIGHT);
      opts.onShown?.();
    } else if (sink.generation !== generation) {
      return false;
    } else {
      request(IN_FLIGHT);
      sink.writeSlab(plan[n].kStart, data);
    }
    arrived += plan[n].kCount;
    opts.onProgress?.(arrived / nz);
  }
  if (plan.length > 1) await sink.finishSlabs();
  return sink.generation === generation;
}
