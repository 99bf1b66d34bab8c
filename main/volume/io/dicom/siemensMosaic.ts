import type { DataSet } from './parseDicomBytes';
import { str } from './dicomImageInfo';

/**
 * Siemens mosaic: an EPI/DTI volume stored as one 2D image of tiles (N slices on a ceil(√N) grid).
 * Geometry follows the Siemens convention used by dcm2niix: ImagePositionPatient describes the whole
 * mosaic as if it were one image, so the first tile's origin is shifted by half the unused extent; the
 * slice order runs along the CSA header's SliceNormalVector.
 */
export interface MosaicInfo {
  images: number;
  tilesPerSide: number;
  tileRows: number;
  tileColumns: number;
  /** SliceNormalVector from the CSA image header (LPS), when present. */
  sliceNormal?: [number, number, number];
}

export function detectMosaic(ds: DataSet, rows: number, columns: number, imageType: string | undefined): MosaicInfo | undefined {
  if (!/MOSAIC/.test(imageType ?? '')) return undefined;
  const csa = readCsaImageHeader(ds);
  const fromTag = ds.elements.x0019100a && ds.elements.x0019100a.length >= 2 ? ds.uint16('x0019100a') : undefined;
  const images = fromTag ?? Number(csa?.get('NumberOfImagesInMosaic')?.[0]);
  if (!images || !Number.isFinite(images)) return undefined;
  const tilesPerSide = Math.ceil(Math.sqrt(images));
  if (rows % tilesPerSide || columns % tilesPerSide) return undefined;
  const sn = csa?.get('SliceNormalVector')?.map(Number);
  return {
    images,
    tilesPerSide,
    tileRows: rows / tilesPerSide,
    tileColumns: columns / tilesPerSide,
    sliceNormal: sn && sn.length >= 3 && sn.every(Number.isFinite) ? [sn[0], sn[1], sn[2]] : undefined,
  };
}

/** Copy tile `s` of a mosaic frame (row-major, tiles row by row) into `out`. */
export function extractTile(frame: ArrayLike<number>, columns: number, m: MosaicInfo, s: number, out: { [i: number]: number }, outOffset: number): void {
  const tr = Math.floor(s / m.tilesPerSide);
  const tc = s % m.tilesPerSide;
  for (let j = 0; j < m.tileRows; j++) {
    const src = (tr * m.tileRows + j) * columns + tc * m.tileColumns;
    const dst = outOffset + j * m.tileColumns;
    for (let i = 0; i < m.tileColumns; i++) out[dst + i] = frame[src + i];
  }
}

/**
 * Siemens CSA header ("SV10" format) in (0029,xx10) under private creator "SIEMENS CSA HEADER":
 * named elements, each with string items.
 */
export function readCsaImageHeader(ds: DataSet): Map<string, string[]> | undefined {
  let block: string | undefined;
  for (let e = 0x10; e <= 0xff; e++) {
    const creator = str(ds, `x0029${e.toString(16).padStart(4, '0')}`);
    if (creator === 'SIEMENS CSA HEADER') {
      block = e.toString(16).padStart(2, '0');
      break;
    }
  }
  const el = block ? ds.elements[`x0029${block}10`] : undefined;
  if (!el) return undefined;
  const b = (ds.byteArray as Uint8Array).subarray(el.dataOffset, el.dataOffset + el.length);
  if (b.length < 16 || String.fromCharCode(b[0], b[1], b[2], b[3]) !== 'SV10') return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Map<string, string[]>();
  const n = view.getUint32(8, true);
  let p = 16;
  try {
    for (let t = 0; t < n && p + 84 <= b.length; t++) {
      let name = '';
      for (let i = 0; i < 64 && b[p + i]; i++) name += String.fromCharCode(b[p + i]);
      const nItems = view.getInt32(p + 76, true);
      p += 84;
      const items: string[] = [];
      for (let k = 0; k < nItems; k++) {
        const len = view.getInt32(p + 4, true);
        p += 16;
        let s = '';
        for (let i = 0; i < len && b[p + i]; i++) s += String.fromCharCode(b[p + i]);
        if (s.trim()) items.push(s.trim());
        p += Math.ceil(len / 4) * 4;
      }
      out.set(name, items);
    }
  } catch {
    // a malformed tail leaves what was read so far
  }
  return out;
}
