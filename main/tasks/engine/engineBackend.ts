/**
 * Engine backend selection for task runs (`--device auto|cpu|gpu`), through engineer B's ladder
 * (main/engine/backend/selectBackend.ts, `initEngineBackend`). Resolved lazily so that tasks
 * without a model (cold-start lung) never load the engine.
 * TODO(T): static import once selectBackend.ts has landed.
 */
export type DeviceChoice = 'auto' | 'cpu' | 'gpu';

interface BackendReportLike {
  name?: string;
  backend?: string;
  description?: string;
}

export async function initTaskBackend(device: DeviceChoice): Promise<string> {
  const spec: string = '../../engine/backend/selectBackend';
  let mod: { initEngineBackend?: (opts?: { device?: DeviceChoice }) => Promise<BackendReportLike> };
  try {
    mod = (await import(/* @vite-ignore */ spec)) as typeof mod;
  } catch {
    if (device === 'gpu') throw new Error('--device gpu: no GPU backend available (engine backend ladder not installed)');
    return 'tfjs-cpu (default; backend ladder not available)';
  }
  if (typeof mod.initEngineBackend !== 'function') return 'tfjs-cpu (default)';
  const r = await mod.initEngineBackend({ device });
  return r.description ?? r.name ?? r.backend ?? JSON.stringify(r);
}
