import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DATA_DIR, FIXTURES_DIR, REPO_ROOT, sharedAvailable } from '../../test/sharedDir';
import { seededRandom } from '../../main/util/seededRandom';
import { fuzzCorpus } from './fuzzCorpus';
import { makeCase, runFuzz } from './fuzzRun';
import { MUTATIONS } from './mutations/mutationRegistry';
import { readFile } from 'node:fs/promises';

const have = sharedAvailable('fuzz sample');
const read = async (f: string): Promise<Uint8Array> => new Uint8Array(await readFile(f));

describe.skipIf(!have)('fuzzing harness (public files from ../shared)', () => {
  it('builds the same input for the same seed and index, and different ones otherwise', async () => {
    const corpus = await fuzzCorpus([DATA_DIR, FIXTURES_DIR]);
    expect(new Set(corpus.map((c) => c.kind))).toEqual(new Set(['dicom', 'nifti', 'pth']));
    const a = await makeCase(corpus, 7, 3, read);
    const b = await makeCase(corpus, 7, 3, read);
    expect([b.source, b.mutation, b.detail]).toEqual([a.source, a.mutation, a.detail]);
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes))).toBe(0);
    const others = await Promise.all([0, 1, 2, 4, 5].map((i) => makeCase(corpus, 7, i, read)));
    expect(others.some((o) => o.mutation !== a.mutation || o.source !== a.source)).toBe(true);
  });

  it('targeted mutations change the field they name', async () => {
    const nii = await read(path.join(DATA_DIR, 'nifti', 'standard.nii.gz'));
    let detail = '';
    const out = MUTATIONS.niftiDatatype.apply(nii, seededRandom(1), (d) => (detail = d));
    const want = Number(/= (-?\d+)/.exec(detail)?.[1]);
    expect(new DataView(gunzipSync(out as Uint8Array).buffer).getInt16(70, true)).toBe(want);

    const dcm = await read(path.join(DATA_DIR, 'dicom', 'encoding', 'MR_small.dcm'));
    const uid = MUTATIONS.dicomTransferSyntax.apply(dcm, seededRandom(2), (d) => (detail = d)) as Uint8Array;
    expect(Buffer.from(uid).toString('latin1')).toContain(detail.replace('TransferSyntaxUID ', '').replace('(empty)', ''));
    const frames = MUTATIONS.dicomNumberOfFrames.apply(dcm, seededRandom(3), (d) => (detail = d)) as Uint8Array;
    expect(detail).toMatch(/^NumberOfFrames/);
    expect(frames.length).toBeGreaterThan(dcm.length - 16);

    const pth = await read(path.join(FIXTURES_DIR, 'd10_B_w8.pth'));
    const sized = MUTATIONS.pickleSize.apply(pth, seededRandom(4), (d) => (detail = d)) as Uint8Array;
    expect(detail).toMatch(/data\.pkl @\d+: opcode 0x[0-9a-f]{2} argument \d+ -> \d+/);
    expect(sized.length).toBe(pth.length);
  });

  // The contract of issue 10 on a small seeded sample: batch workers, and every input that fails
  // there rerun in a `med3d` process of its own (the outcome that counts).
  // `npm run fuzz -- --count 10000 --mode batch` runs the full harness.
  it('a seeded sample of 40 mutated scans and checkpoints ends in success or a clean one-line error', async () => {
    const corpus = await fuzzCorpus([DATA_DIR, FIXTURES_DIR]);
    const report = await runFuzz(corpus, { seed: 2026, count: 40, jobs: 2, mode: 'batch', timeoutMs: 20_000, memoryMb: 1536, failuresDir: path.join(REPO_ROOT, 'test-results', 'fuzz-failures') });
    expect(report.results).toHaveLength(40);
    const lines = report.failures.map((f) => `#${f.index} ${f.cls} (${f.why}) ${f.mutation} ${f.detail} on ${f.source}: ${f.stderr.split('\n')[0]} [kept: ${f.kept}]`);
    expect(lines).toEqual([]);
  }, 180_000);
});
