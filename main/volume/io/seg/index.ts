export { writeDicomSeg, encodeDicomSeg, SEG_SOP_CLASS_UID, type WriteDicomSegOptions, type SegSegment } from './writeDicomSeg';
export { readDicomSeg, decodeDicomSeg, type ReadDicomSegOptions } from './readDicomSeg';
export { codesForLabel, type Code } from './segCodes';
