/**
 * The autosave file for unsaved edits: one gzipped blob per case holding a small JSON header and
 * the uint8 labels, so header and voxels are replaced together by one atomic rename.
 * Layout (before gzip): "M3DR" | u32 LE header length | header JSON | labels.
 */
import { gunzipSync } from 'node:zlib';
import { gzipAsync } from './gzipAsync';
import type { Vec3 } from '../volume/Volume';

export interface RecoveryHeader {
  caseId: string;
  dims: Vec3;
  baseVersion: number | null;
  savedAt: string;
}

const MAGIC = [0x4d, 0x33, 0x44, 0x52];

export async function encodeRecovery(h: RecoveryHeader, labels: Uint8Array): Promise<Uint8Array> {
  const json = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + json.length + labels.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(labels, 8 + json.length);
  // Level 1: autosave runs often and label maps compress well even at the fastest level.
  return gzipAsync(out, 1);
}

export function decodeRecovery(bytes: Uint8Array, file: string): { header: RecoveryHeader; labels: Uint8Array } {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(gunzipSync(bytes));
  } catch (err) {
    throw new Error(`recovery file ${file} is corrupt (${(err as Error).message})`);
  }
  if (raw.length < 8 || MAGIC.some((b, i) => raw[i] !== b)) throw new Error(`recovery file ${file} is not a Med3D recovery file`);
  const len = new DataView(raw.buffer, raw.byteOffset).getUint32(4, true);
  if (8 + len > raw.length) throw new Error(`recovery file ${file} is truncated`);
  const header = JSON.parse(new TextDecoder().decode(raw.subarray(8, 8 + len))) as RecoveryHeader;
  const labels = raw.slice(8 + len);
  const n = header.dims[0] * header.dims[1] * header.dims[2];
  if (labels.length !== n) throw new Error(`recovery file ${file} holds ${labels.length} voxels, expected ${n}`);
  return { header, labels };
}
