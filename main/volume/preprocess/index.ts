export * from './box';
export * from './foregroundCrop';
export * from './intensity';
export * from './med3dPreprocess';
export * from './percentile';
export * from './spacing';
