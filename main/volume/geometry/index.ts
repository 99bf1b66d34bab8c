export * from './affine';
export * from './grid';
export * from './orientation';
export * from './reorient';
export * from './resample';
export { allocLike, isIntegerArray } from './voxelArrays';
