import type { SeedSequence } from '../../nn/layers/init';
import type { StateDict } from '../../nn/StateDict';
import type { HeadSpec } from '../ModelSpec';
import type { Head } from './Head';

/** Head kinds that carry weights ('none' is the encoder alone). */
export type HeadKindName = Exclude<HeadSpec['kind'], 'none'>;
export type HeadSpecOf<K extends HeadKindName> = Extract<HeadSpec, { kind: K }>;

/** What a head's builder gets from the model: the encoder's output channels and the init/BN settings. */
export interface HeadBuildContext {
  inChannels: number;
  seeds: SeedSequence;
  eps: number;
  momentum: number;
}

/**
 * What the engine knows about one head kind without building it: how to check a spec of it (typed
 * or untrusted JSON from a checkpoint) and how to recognise it from a PyTorch state dict's keys.
 * Its own file per head (`<head>Shape.ts`) imports no tensor library, so reading and checking
 * weights (`med3d weights inspect`, loadWeights) does not load TensorFlow.js.
 */
export interface HeadShape<K extends HeadKindName = HeadKindName> {
  readonly kind: K;
  /** Throws `head '<kind>': <field> …` when a field is missing or out of range. */
  validate(head: Readonly<Record<string, unknown>>): void;
  /** The head's spec and the keys it claims, or undefined when the keys are not this head's. */
  recognize(sd: StateDict): { head: HeadSpecOf<K>; keys: string[] } | undefined;
}

/**
 * Everything the engine knows about one head kind, in the head's own file: its shape plus how to
 * build it. Kinds are gathered by createHeadRegistry and passed explicitly to buildModel.
 */
export interface HeadKind<K extends HeadKindName = HeadKindName> extends HeadShape<K> {
  build(head: HeadSpecOf<K>, ctx: HeadBuildContext): Head;
}

/** One of the shapes / kinds (a union member per kind, so a list of them type-checks without casts). */
export type AnyHeadShape = { [K in HeadKindName]: HeadShape<K> }[HeadKindName];
export type AnyHeadKind = { [K in HeadKindName]: HeadKind<K> }[HeadKindName];
