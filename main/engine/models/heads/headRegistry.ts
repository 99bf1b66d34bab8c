import type { AnyHeadKind, HeadKind, HeadKindName } from './HeadKind';
import { classifierHeadKind } from './ClassifierHead';
import { denseAsppHeadKind } from './DenseAsppHead';
import { liverTwoStageHeadKind } from './LiverTwoStageHead';
import { lungDecoderHeadKind } from './LungDecoderHead';
import { medicalnetSegHeadKind } from './MedicalNetSegHead';
import { multiDomainHeadKind } from './MultiDomainHead';
import { liverCoarseHeadKind } from './UpsampledConvHead';

/** The head kinds a model can be built with and weights can be recognised as. */
export interface HeadRegistry {
  /** The kind's entry; throws `unknown head kind '<kind>'` for one this registry lacks. */
  get<K extends HeadKindName>(kind: K): HeadKind<K>;
  /** Every kind, in recognition order: the first whose keys a state dict has wins. */
  readonly kinds: readonly AnyHeadKind[];
}

const BUILT_IN: readonly AnyHeadKind[] = [medicalnetSegHeadKind, lungDecoderHeadKind, classifierHeadKind, liverTwoStageHeadKind, liverCoarseHeadKind, denseAsppHeadKind, multiDomainHeadKind];

/**
 * The engine's heads, built as one value and passed to buildModel and inferArchitecture (no
 * registration by import side effect). Order matters for recognition: liver-two-stage claims
 * coarse_seg + aspp keys before liver-coarse or dense-aspp alone would.
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
