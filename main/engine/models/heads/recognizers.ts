import { registerHeadRecognizer, type HeadRecognizer } from '../../weights/inferArchitecture';
import type { StateDict } from '../../nn/StateDict';

/**
 * Teach architecture inference (weights/inferArchitecture) the heads this folder defines, from
 * their state-dict keys. Imported for its side effect by loadModel; idempotent.
 */
export const DENSE_ASPP_DEFAULT_RATES = [3, 6, 12, 18, 24];

const keysWith = (sd: StateDict, prefix: string): string[] => [...sd.keys()].filter((k) => k.startsWith(prefix));

function indices(sd: StateDict, re: RegExp): number[] {
  const s = new Set<number>();
  for (const k of sd.keys()) {
    const m = re.exec(k);
    if (m) s.add(Number(m[1]));
  }
  const out = [...s].sort((a, b) => a - b);
  return out.every((v, i) => v === i) ? out : [];
}

const lungDecoder: HeadRecognizer = {
  kind: 'lung-decoder',
  recognize(sd) {
    const out = sd.get('decoder_out.weight');
    const groups = indices(sd, /^decoder\.(\d+)\.0\.weight$/);
    if (!out || groups.length !== 3) return undefined;
    const channels = groups.map((g) => sd.get(`decoder.${g}.0.weight`)!.shape[1]) as [number, number, number];
    return { head: { kind: 'lung-decoder', classes: out.shape[0], channels }, keys: [...keysWith(sd, 'decoder.'), ...keysWith(sd, 'decoder_out.')] };
  },
};

const classifier: HeadRecognizer = {
  kind: 'classifier',
  recognize(sd) {
    const fc = sd.get('fc.weight');
    if (!fc || fc.shape.length !== 2) return undefined;
    return { head: { kind: 'classifier', classes: fc.shape[0] }, keys: keysWith(sd, 'fc.') };
  },
};

const liverCoarse: HeadRecognizer = {
  kind: 'liver-coarse',
  recognize(sd) {
    const w = sd.get('coarse_seg.weight');
    if (!w) return undefined;
    return { head: { kind: 'liver-coarse', classes: w.shape[0] }, keys: keysWith(sd, 'coarse_seg.') };
  },
};

const denseAspp: HeadRecognizer = {
  kind: 'dense-aspp',
  recognize(sd) {
    const out = sd.get('aspp_seg.weight');
    const blocks = indices(sd, /^aspp\.(\d+)\.conv2\.weight$/);
    if (!out || blocks.length === 0) return undefined;
    const growth = sd.get('aspp.0.conv2.weight')!.shape[0];
    // Dilation rates are not stored in weights; .pth files get DenseASPP's defaults (our
    // checkpoints carry the exact spec in their metadata).
    const rates = blocks.map((i) => DENSE_ASPP_DEFAULT_RATES[i] ?? DENSE_ASPP_DEFAULT_RATES[DENSE_ASPP_DEFAULT_RATES.length - 1]);
    return { head: { kind: 'dense-aspp', classes: out.shape[0], growth, rates }, keys: [...keysWith(sd, 'aspp.'), ...keysWith(sd, 'aspp_seg.')] };
  },
};

const multiDomain: HeadRecognizer = {
  kind: 'multi-domain',
  recognize(sd) {
    const idx = indices(sd, /^branches\.(\d+)\.weight$/);
    if (idx.length === 0) return undefined;
    return { head: { kind: 'multi-domain', classesPerDomain: idx.map((i) => sd.get(`branches.${i}.weight`)!.shape[0]) }, keys: keysWith(sd, 'branches.') };
  },
};

let done = false;
export function registerHeadRecognizers(): void {
  if (done) return;
  done = true;
  [lungDecoder, classifier, liverCoarse, denseAspp, multiDomain].forEach(registerHeadRecognizer);
}

registerHeadRecognizers();
