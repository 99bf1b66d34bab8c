import type { StateTensor } from '../StateDict';
import type { Param } from './Param';

/** One state-dict entry of a module: read in PyTorch layout, or load from it. */
export interface StateEntry {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int64';
  /** 'param' entries are trainable; 'buffer' entries (BN running stats) are not. */
  readonly kind: 'param' | 'buffer';
  get(): StateTensor;
  set(t: StateTensor, key: string): void;
}

export interface ForwardCtx {
  /** BatchNorm uses batch statistics and updates its running stats (PyTorch train()). */
  training: boolean;
}

/**
 * PyTorch-style module tree: parameters, buffers and named children, so state-dict keys come out
 * exactly as torch.nn.Module.state_dict() names them (own parameters, own buffers, then
 * children in registration order).
 */
export abstract class Module {
  private readonly params = new Map<string, Param>();
  private readonly children = new Map<string, Module>();

  protected registerParam(name: string, p: Param): Param {
    this.params.set(name, p);
    return p;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Buffers of this module only (BatchNorm overrides). */
  protected ownBuffers(): [string, StateEntry][] {
    return [];
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  namedParameters(prefix = ''): [string, Param][] {
    const out: [string, Param][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every state-dict entry (parameters and buffers) in PyTorch order. */
  stateEntries(prefix = ''): [string, StateEntry][] {
    const out: [string, StateEntry][] = [];
    for (const [n, p] of this.params) {
      out.push([
        prefix + n,
        {
          shape: p.torchShape,
          dtype: 'float32',
          kind: 'param',
          get: () => p.toTorch(),
          set: (t, key) => p.loadTorch(t, key),
        },
      ]);
    }
    for (const [n, b] of this.ownBuffers()) out.push([prefix + n, b]);
    for (const [n, c] of this.children) out.push(...c.stateEntries(`${prefix}${n}.`));
    return out;
  }

  /** Named sub-module lookup by dotted path ('layer1.0.bn1'). */
  getSubmodule(path: string): Module | undefined {
    let m: Module | undefined = this;
    for (const part of path.split('.').filter(Boolean)) m = m?.children.get(part);
    return m;
  }

  /** All modules with their dotted names (this one is ''). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, c] of this.children) out.push(...c.namedModules(`${prefix}${n}.`));
    return out;
  }

  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.disposeBuffers();
    for (const c of this.children.values()) c.dispose();
  }

  protected disposeBuffers(): void {}
}
