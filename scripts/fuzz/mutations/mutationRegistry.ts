import type { InputKind, Mutation } from './Mutation';
import { genericMutations } from './genericMutations';
import { niftiMutations } from './niftiMutations';
import { dicomMutations } from './dicomMutations';
import { pthMutations } from './pthMutations';

/** Every mutation by name; adding one means adding an entry to one of these tables. */
export const MUTATIONS: Readonly<Record<string, Mutation>> = { ...genericMutations, ...niftiMutations, ...dicomMutations, ...pthMutations };

export function mutationsFor(kind: InputKind): string[] {
  return Object.keys(MUTATIONS).filter((name) => MUTATIONS[name].kinds.includes(kind));
}
