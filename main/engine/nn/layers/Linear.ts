import { biasAdd, matMul } from '../autograd/basicOps';
import type { Var } from '../autograd/Var';
import { type SeedSequence, uniformFanIn } from './init';
import { Module } from './Module';
import { Param } from './Param';

/** torch.nn.Linear: PyTorch weight [out, in], stored [in, out]. */
export class Linear extends Module {
  readonly weight: Param;
  readonly bias: Param;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    seeds: SeedSequence,
  ) {
    super();
    this.weight = this.registerParam('weight', new Param([outFeatures, inFeatures], 'linear', uniformFanIn([inFeatures, outFeatures], inFeatures, seeds.next())));
    this.bias = this.registerParam('bias', new Param([outFeatures], 'vector', uniformFanIn([outFeatures], inFeatures, seeds.next())));
  }

  forward(x: Var): Var {
    return biasAdd(matMul(x, this.weight.var), this.bias.var);
  }
}
