import type { DicomImageInfo, FrameInfo } from './dicomImageInfo';
import type { StackSlice, V3 } from './stackGeometry';

/** One image of a series: a frame of a file, with its header facts. */
export interface SliceRef {
  file: string;
  frame: number;
  info: DicomImageInfo;
  frameInfo: FrameInfo;
}

/** Every frame of every file, in file order. */
export function sliceRefsOf(entries: Array<{ file: string; info: DicomImageInfo }>): SliceRef[] {
  const refs: SliceRef[] = [];
  for (const e of entries) for (let f = 0; f < e.info.numberOfFrames; f++) refs.push({ file: e.file, frame: f, info: e.info, frameInfo: e.info.frames[f] });
  return refs;
}

export function hasGeometry(r: SliceRef): boolean {
  return !!(r.frameInfo.position && r.frameInfo.orientation && r.frameInfo.pixelSpacing);
}

/** Stack slices for planStack; acquisition order (instance number, then frame) breaks position ties. */
export function toStackSlices(refs: SliceRef[]): StackSlice<SliceRef>[] {
  return refs.map((r, n) => ({
    position: r.frameInfo.position as V3,
    orientation: r.frameInfo.orientation!,
    pixelSpacing: r.frameInfo.pixelSpacing!,
    stackKey: r.frameInfo.stackKey,
    order: (r.info.instanceNumber ?? 0) * 1e6 + r.frame + n * 1e-6,
    ref: r,
  }));
}
