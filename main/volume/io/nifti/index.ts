export { readNifti, readNiftiImage, type ReadNiftiOptions } from './readNifti';
export { writeNifti, type WriteNiftiOptions } from './writeNifti';
export { encodeNifti, encodeNiftiParts, qformFromAffine, type EncodeNiftiOptions, type NiftiWriteDatatype } from './encodeNifti';
export { gunzipCapped, gzip, gzipChunks, isGzip } from './gzip';
export { decodeNifti, type NiftiImage } from './decodeNifti';
export { niftiToVolume, niftiVolumeCount, storedScalars } from './niftiToVolume';
