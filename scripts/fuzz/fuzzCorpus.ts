import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InputKind } from './mutations/Mutation';

export interface CorpusFile {
  file: string;
  kind: InputKind;
}

/** What a file is, by name and magic; null for what the fuzzer does not mutate (analyze pairs, JSON...). */
async function kindOf(file: string): Promise<InputKind | null> {
  const name = path.basename(file).toLowerCase();
  if (name.endsWith('.pth') || name.endsWith('.pt')) return 'pth';
  if (name.endsWith('.nii') || name.endsWith('.nii.gz')) return 'nifti';
  if (name.endsWith('.dcm')) return 'dicom';
  if (/\.(json|md|txt|bin|hdr|img|gz)$/.test(name)) return null;
  // Extension-less DICOM (I10, IM0001...): "DICM" after the 128-byte preamble.
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(132);
    const { bytesRead } = await fh.read(b, 0, 132, 0);
    return bytesRead === 132 && b.toString('latin1', 128, 132) === 'DICM' ? 'dicom' : null;
  } finally {
    await fh.close();
  }
}

/**
 * The seed files: every DICOM, NIfTI and .pth file under `dirs` (recursively), at most `maxBytes`
 * each (big files make slow children without finding more), sorted so a seed means the same
 * inputs on every machine. Missing folders are skipped.
 */
export async function fuzzCorpus(dirs: readonly string[], maxBytes = 4 << 20): Promise<CorpusFile[]> {
  const out: CorpusFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await fs.stat(p)).size <= maxBytes) {
        const kind = await kindOf(p);
        if (kind) out.push({ file: p, kind });
      }
    }
  };
  for (const d of dirs) await walk(d);
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
