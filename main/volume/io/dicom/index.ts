export { loadDicom, type LoadDicomOptions } from './loadDicom';
export { readDicomFile, type DicomFile, type ReadDicomFileOptions } from './readDicomFile';
export { scanDicomFolder, type DicomFolderScan, type DicomSeriesEntry, type DicomSeriesSummary } from './scanDicomFolder';
export { readImageInfo, type DicomImageInfo, type FrameInfo } from './dicomImageInfo';
export { parseDicomBytes, DicomParseError, type ParsedDicom } from './parseDicomBytes';
export { decodeFrame, transferSyntaxName, type StoredArray } from './pixel/decodeFrame';
export { planStack, lpsToRasAffine, type StackPlan, type StackReport } from './stackGeometry';
