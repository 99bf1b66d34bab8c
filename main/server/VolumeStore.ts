/**
 * Volumes open in the service, by id, with a small LRU bound so a long session does not keep
 * every scan it ever opened in memory.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../common/api/errors';
import type { LabelDef, VolumeHeader } from '../../common/api/types';
import type { Volume } from '../volume/Volume';
import { dtypeOf } from '../volume/dtypeOf';
import { valueRange } from '../volume/valueRange';

/** The voxels as an ArrayBuffer holding exactly them (no copy when the array owns its buffer). */
export function exactBuffer(a: ArrayBufferView): ArrayBuffer {
  const buf = a.buffer as ArrayBuffer;
  if (a.byteOffset === 0 && a.byteLength === buf.byteLength) return buf;
  return buf.slice(a.byteOffset, a.byteOffset + a.byteLength);
}

export function headerOf(volumeId: string, vol: Volume, extra: { caseId?: string; labels?: LabelDef[]; source?: string } = {}): VolumeHeader {
  const { min, max } = valueRange(vol.data);
  return {
    volumeId,
    dims: [...vol.dims] as [number, number, number],
    spacing: [...vol.spacing] as [number, number, number],
    affine: Array.from(vol.affine),
    dtype: dtypeOf(vol.data),
    min,
    max,
    modality: vol.meta.modality ?? 'unknown',
    source: extra.source ?? vol.meta.source ?? 'unknown',
    warnings: [...vol.meta.warnings],
    ...(extra.caseId ? { caseId: extra.caseId } : {}),
    ...(extra.labels ? { labels: extra.labels } : {}),
  };
}

interface Entry {
  vol: Volume;
  header: VolumeHeader;
  lastUsed: number;
}

export interface VolumeStoreLimits {
  /** Most volumes kept open (default 8). */
  maxVolumes?: number;
  /** Most voxel bytes kept open (default 2 GiB); the newest volume always stays. */
  maxBytes?: number;
}

export class VolumeStore {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private readonly maxVolumes: number;
  private readonly maxBytes: number;

  constructor(limits: VolumeStoreLimits = {}) {
    this.maxVolumes = limits.maxVolumes ?? 8;
    this.maxBytes = limits.maxBytes ?? 2 * 1024 ** 3;
  }

  private bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.vol.data.byteLength;
    return n;
  }

  add(vol: Volume, extra: { caseId?: string; labels?: LabelDef[]; source?: string } = {}): VolumeHeader {
    const id = `vol-${randomBytes(6).toString('hex')}`;
    const header = headerOf(id, vol, extra);
    this.entries.set(id, { vol, header, lastUsed: ++this.clock });
    // Evict least recently used volumes beyond the limits (never the one just added).
    while (this.entries.size > 1 && (this.entries.size > this.maxVolumes || this.bytes() > this.maxBytes)) {
      let oldest: string | null = null;
      let t = Infinity;
      for (const [k, e] of this.entries) if (k !== id && e.lastUsed < t) (t = e.lastUsed), (oldest = k);
      if (!oldest) break;
      this.entries.delete(oldest);
    }
    return structuredClone(header);
  }

  get(volumeId: string): { vol: Volume; header: VolumeHeader } {
    const e = this.entries.get(volumeId);
    if (!e) throw new ApiError('not-found', `volume ${volumeId} is not open (closed, or evicted to save memory: open it again)`);
    e.lastUsed = ++this.clock;
    return { vol: e.vol, header: e.header };
  }

  /** Most recently used volume of a case, if still open. */
  findByCase(caseId: string): { vol: Volume; header: VolumeHeader } | null {
    let best: Entry | null = null;
    for (const e of this.entries.values()) if (e.header.caseId === caseId && (!best || e.lastUsed > best.lastUsed)) best = e;
    if (!best) return null;
    best.lastUsed = ++this.clock;
    return { vol: best.vol, header: best.header };
  }

  close(volumeId: string): void {
    this.entries.delete(volumeId);
  }
}
