/**
 * The engine backend line for getAppInfo. The ladder is initialised in the background (it loads
 * native libraries) and failures are reported as data, never thrown: the app must open even
 * when the engine cannot.
 */
import type { EngineBackendInfo } from '../../common/api/types';

export function startEngineBackendInfo(log?: (msg: string) => void): () => EngineBackendInfo | null {
  let info: EngineBackendInfo | null = null;
  void (async () => {
    try {
      const { describeBackend } = await import('../engine/backend/selectBackend');
      // What the engine worker that runs the jobs chose (its device: --device / MED3D_DEVICE), not a second ladder here.
      const { taskEngine } = await import('../tasks/jobs/taskEngine');
      const r = await taskEngine().start();
      info = {
        name: r.backend,
        description: describeBackend(r).split('\n')[0],
        tried: [...r.skipped.map((s) => ({ name: s.name, ok: false, reason: s.reason })), { name: r.backend, ok: true }],
      };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log?.(`engine backend unavailable: ${reason}`);
      info = { name: 'none', description: `engine unavailable: ${reason}`, tried: [] };
    }
  })();
  return () => info;
}
