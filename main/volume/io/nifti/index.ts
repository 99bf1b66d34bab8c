export { readNifti, readNiftiImage, isNiftiPath, type ReadNiftiOptions } from './readNifti';
export { writeNifti, type WriteNiftiOptions } from './writeNifti';
export { encodeNifti, qformFromAffine, type EncodeNiftiOptions, type NiftiWriteDatatype } from './encodeNifti';
export { decodeNifti, type NiftiImage } from './decodeNifti';
export { niftiToVolume, niftiVolumeCount, storedScalars } from './niftiToVolume';
