import type { Med3dModel } from '../models/Med3dModel';

/**
 * Which parameters stay fixed while training (`--freeze`): 'none', 'encoder' (conv1, bn1,
 * layer1..4) or a list of module-name prefixes in MedicalNet's key layout ('conv1', 'layer1',
 * 'conv_seg' …). Returns how many parameters are frozen.
 */
export type FreezeSpec = 'none' | 'encoder' | readonly string[];

export function parseFreeze(text: string): FreezeSpec {
  const t = text.trim();
  if (t === '' || t === 'none') return 'none';
  if (t === 'encoder') return 'encoder';
  const parts = t.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!/^[A-Za-z_][\w.]*$/.test(p)) throw new Error(`--freeze: '${p}' is not a module name (expected none|encoder|conv1,layer1,…)`);
  return parts;
}

export function applyFreeze(model: Med3dModel, spec: FreezeSpec): number {
  const params = model.parameters();
  const hit = (name: string): boolean => {
    if (spec === 'none') return false;
    if (spec === 'encoder') return model.encoderParameters().some(([n]) => n === name);
    return spec.some((p) => name === p || name.startsWith(`${p}.`));
  };
  if (Array.isArray(spec)) {
    const unknown = (spec as readonly string[]).filter((p) => !params.some(([n]) => n === p || n.startsWith(`${p}.`)));
    if (unknown.length) throw new Error(`--freeze: no parameters under ${unknown.join(', ')} (modules: ${[...new Set(params.map(([n]) => n.split('.')[0]))].join(', ')})`);
  }
  let n = 0;
  for (const [name, p] of params) {
    const f = hit(name);
    p.setFrozen(f);
    if (f) n++;
  }
  return n;
}
