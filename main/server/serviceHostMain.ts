/**
 * Worker-thread side: hosts Med3dService and answers the main process (see serviceHostProtocol).
 * Entry points: serviceHostEntry.mjs (from TypeScript sources, via tsx) or the bundled
 * out/main/serviceHost.js (Electron builds).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createApiDispatcher } from '../../common/api/dispatcher';
import type { MethodName } from '../../common/api/Med3dApi';
import type { ChooseFileRequest } from '../../common/api/requests';
import { startEngineBackendInfo } from './engineBackendInfo';
import { Med3dService } from './Med3dService';
import type { FromServiceHost, ServiceHostInit, ToServiceHost } from './serviceHostProtocol';

const port = parentPort;
if (!port) throw new Error('serviceHostMain must run in a worker thread');
const init = workerData as ServiceHostInit;
const post = (m: FromServiceHost): void => port.postMessage(m);
/** Methods whose ArrayBuffer reply is a copy made for that reply (VolumeService.getVoxels), so it can be transferred. */
const FRESH_BUFFER_REPLIES: ReadonlySet<string> = new Set<MethodName>(['getVoxels']);
const log = (message: string): void => post({ t: 'log', message });

let dialogSeq = 0;
const dialogWaiters = new Map<number, (p: string | null) => void>();
const dialogs = init.nativeDialogs
  ? {
      choose: (purpose: ChooseFileRequest['purpose']): Promise<string | null> =>
        new Promise<string | null>((resolve) => {
          const id = ++dialogSeq;
          dialogWaiters.set(id, resolve);
          post({ t: 'dialog', id, purpose });
        }),
    }
  : undefined;

try {
  const service = await Med3dService.create({
    mode: init.mode,
    version: init.version,
    workspace: init.workspace,
    roots: init.roots,
    configDir: init.configDir,
    initialOpen: init.initialOpen,
    tasksDir: init.tasksDir,
    engineWorkerEntry: init.engineWorkerEntry,
    backendInfo: init.engineInfo === false ? undefined : startEngineBackendInfo(log),
    dialogs,
    log,
  });
  const dispatch = createApiDispatcher(service, { onError: (m, e) => log(`${m} failed: ${(e as Error).stack ?? String(e)}`) });
  service.events.onAny((event, payload) => post({ t: 'event', event, payload }));
  port.on('message', (m: ToServiceHost) => {
    if (m.t === 'call') {
      void dispatch(m.method, m.payload).then((env) => {
        // A reply buffer made for that reply alone moves to the main thread: no second copy of a 48 MB slab.
        const moved = env.ok && FRESH_BUFFER_REPLIES.has(m.method) && env.result instanceof ArrayBuffer ? [env.result] : [];
        port.postMessage({ t: 'result', id: m.id, env } satisfies FromServiceHost, moved);
      });
    } else if (m.t === 'grant') {
      service.guard.grant(m.path).then(
        (p) => post({ t: 'granted', id: m.id, path: p }),
        (e: unknown) => post({ t: 'granted', id: m.id, error: (e as Error).message }),
      );
    } else if (m.t === 'dialogResult') {
      dialogWaiters.get(m.id)?.(m.path);
      dialogWaiters.delete(m.id);
    } else if (m.t === 'dispose') {
      void service.dispose().finally(() => post({ t: 'disposed' }));
    }
  });
  post({ t: 'ready' });
} catch (err) {
  post({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
}
