import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isDicomFileName, isNiftiVolumeName, stripNiftiExtension } from '../../../common/files/fileKind';

/**
 * Find the cases of a batch run below a folder, recursively: NIfTI files (.nii, .nii.gz, .hdr)
 * and DICOM series folders (a folder holding DICOM files is one case). Files named like a
 * reference mask (`<case>_ref.nii.gz`, `<case>.ref.nii.gz`, `_mask`, `_seg`, `_label`) are
 * paired with their case instead of being cases themselves.
 */
export interface BatchCase {
  /** Stable id: the path relative to the input folder, without NIfTI extension ('/' separated). */
  id: string;
  input: string;
  kind: 'nifti' | 'dicom-folder';
  /** Reference mask for Dice, when one sits beside the input. */
  reference?: string;
}

/** A reference mask's name ends like this before its NIfTI extension. */
const REF_SUFFIX = /[._-](ref|reference|mask|seg|label|labels|gt)$/i;

async function looksLikeDicom(file: string, name: string): Promise<boolean> {
  if (isDicomFileName(name)) return true;
  if (/\.(json|txt|csv|md|xml|png|jpg|jpeg|nii|gz|hdr|img|zip|DS_Store)$/i.test(name) || name.startsWith('.')) return false;
  try {
    const fh = await fs.open(file, 'r');
    try {
      const b = new Uint8Array(132);
      const { bytesRead } = await fh.read(b, 0, 132, 0);
      return bytesRead === 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

export async function discoverCases(inDir: string, opts: { refDir?: string } = {}): Promise<BatchCase[]> {
  const root = path.resolve(inDir);
  const st = await fs.stat(root).catch(() => null);
  if (!st || !st.isDirectory()) throw new Error(`input folder ${inDir} does not exist or is not a folder`);
  const cases: BatchCase[] = [];
  const refs = new Map<string, string>(); // case id → reference file
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    let dicomHere = false;
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!e.isFile()) continue;
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (isNiftiVolumeName(e.name) && REF_SUFFIX.test(stripNiftiExtension(e.name))) {
        refs.set(stripNiftiExtension(rel).replace(REF_SUFFIX, ''), full);
        continue;
      }
      if (isNiftiVolumeName(e.name)) {
        cases.push({ id: stripNiftiExtension(rel), input: full, kind: 'nifti' });
        continue;
      }
      if (!dicomHere && (await looksLikeDicom(full, e.name))) dicomHere = true;
    }
    if (dicomHere) {
      const rel = path.relative(root, dir).split(path.sep).join('/');
      cases.push({ id: rel === '' ? path.basename(root) : rel, input: dir, kind: 'dicom-folder' });
    }
  };
  await walk(root);
  for (const c of cases) {
    let ref = refs.get(c.id);
    if (!ref && opts.refDir) {
      for (const ext of ['.nii.gz', '.nii']) {
        const candidate = path.join(path.resolve(opts.refDir), c.id + ext);
        if (await fs.stat(candidate).catch(() => null)) {
          ref = candidate;
          break;
        }
      }
    }
    if (ref) c.reference = ref;
  }
  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** FNV-1a 32-bit: stable across machines and Node versions, so shards never overlap. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Parse `--shard i/N` (0-based i, like a Kubernetes indexed job's JOB_COMPLETION_INDEX or
 * `$SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)`).
 */
export function parseShard(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`--shard: expected i/N (e.g. 0/4), got '${spec}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`--shard: need 0 <= i < N, got '${spec}'`);
  return { index, count };
}

/** A case belongs to shard i of N by the hash of its id: stable when cases are added or removed. */
export function inShard(c: BatchCase, shard: { index: number; count: number }): boolean {
  return stableHash(c.id) % shard.count === shard.index;
}
