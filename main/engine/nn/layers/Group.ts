import { Module } from './Module';

/**
 * A named container with no forward of its own, so nested names come out as PyTorch's
 * nn.Sequential / nn.ModuleList would name them ('conv_seg.0.weight', 'layer1.2.bn1.bias').
 * The owner calls the children's forwards itself.
 */
export class Group extends Module {
  add<M extends Module>(name: string | number, m: M): M {
    return this.registerModule(String(name), m);
  }
}
