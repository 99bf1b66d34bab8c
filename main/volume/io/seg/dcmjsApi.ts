import { createRequire } from 'node:module';

/**
 * The slice of dcmjs we use (it ships no TypeScript types). Loaded through createRequire so no
 * ambient module declaration is needed and the CommonJS build is used under Node.
 */
export type NaturalDataset = Record<string, unknown>;

export interface DcmjsDicomDict {
  dict: Record<string, unknown>;
  meta: Record<string, unknown>;
  write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
}

export interface DcmjsApi {
  data: {
    DicomDict: new (meta: Record<string, unknown>) => DcmjsDicomDict;
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict };
    DicomMetaDictionary: {
      denaturalizeDataset(ds: NaturalDataset): Record<string, unknown>;
      naturalizeDataset(ds: Record<string, unknown>): NaturalDataset;
    };
    Colors: { rgb82DICOMLAB(rgb: number[]): number[]; dicomlab2RGB8(lab: number[]): number[] };
  };
  log?: { setLevel?(level: string): void };
}

const require = createRequire(import.meta.url);
export const dcmjs = require('dcmjs') as DcmjsApi;
// dcmjs logs every non-fatal oddity at 'warn'; keep the engine's output clean.
dcmjs.log?.setLevel?.('error');
