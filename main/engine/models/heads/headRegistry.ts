import type { AnyHeadKind, HeadKind, HeadKindName } from './HeadKind';
import { classifierHeadKind } from './ClassifierHead';
import { denseAsppHeadKind } from './DenseAsppHead';
import { liverTwoStageHeadKind } from './LiverTwoStageHead';
import { lungDecoderHeadKind } from './LungDecoderHead';
import { medicalnetSegHeadKind } from './MedicalNetSegHead';
import { multiDomainHeadKind } from './MultiDomainHead';
import { liverCoarseHeadKind } from './UpsampledConvHead';
import { BUILT_IN_SHAPES, type HeadShapes } from './headShapes';

/** The head kinds a model can be built with and weights can be recognised as. */
export interface HeadRegistry extends HeadShapes {
  /** The kind's entry; throws `unknown head kind '<kind>'` for one this registry lacks. */
  get<K extends HeadKindName>(kind: K): HeadKind<K>;
  /** Every kind, in recognition order: the first whose keys a state dict has wins. */
  readonly kinds: readonly AnyHeadKind[];
}

const BY_KIND: { [K in HeadKindName]: HeadKind<K> } = {
  'medicalnet-seg': medicalnetSegHeadKind,
  'lung-decoder': lungDecoderHeadKind,
  classifier: classifierHeadKind,
  'liver-two-stage': liverTwoStageHeadKind,
  'liver-coarse': liverCoarseHeadKind,
  'dense-aspp': denseAsppHeadKind,
  'multi-domain': multiDomainHeadKind,
};

/** In the shapes' recognition order (headShapes.ts), so building and recognising agree. */
const BUILT_IN: readonly AnyHeadKind[] = BUILT_IN_SHAPES.map((s) => BY_KIND[s.kind] as AnyHeadKind);

/**
 * The engine's heads, built as one value and passed to buildModel and inferArchitecture (no
 * registration by import side effect). Code that only reads or checks weights takes
 * createHeadShapes() instead, which loads no tensor library.
 */
export function createHeadRegistry(kinds: readonly AnyHeadKind[] = BUILT_IN): HeadRegistry {
  const byKind = new Map<string, AnyHeadKind>(kinds.map((k) => [k.kind, k]));
  return {
    kinds,
    get<K extends HeadKindName>(kind: K): HeadKind<K> {
      const k = byKind.get(kind);
      if (!k) throw new Error(`unknown head kind '${String(kind)}' (known: ${[...byKind.keys()].join(', ')}, none)`);
      return k as unknown as HeadKind<K>;
    },
  };
}
