import type { JsonValue } from '../../common/api/schema';
import type { JobContext, JobRegistry } from './jobRegistry';
import type { JobServices } from './JobServices';

/** The parameters were refused (by the kind's schema or validate) before anything ran. */
export class JobParamsError extends Error {
  override name = 'JobParamsError';
}

export interface RunJobHereOptions {
  services: JobServices;
  signal?: AbortSignal;
  onProgress?(fraction: number, message?: string): void;
  /** Problems that do not stop the job (a case that failed): the CLI prints them on stderr. */
  onWarning?(message: string): void;
}

/**
 * Run one job kind right here, without a queue or job records: how the CLI runs the app's kinds
 * (`med3d batch` is the 'batch' kind). Parameters go through the kind's schema and validate as
 * with startJob; path parameters are the caller's own (the CLI's user names any path).
 */
export async function runJobHere(registry: JobRegistry, kind: string, params: JsonValue, o: RunJobHereOptions): Promise<JsonValue | void> {
  const handler = registry.get(kind);
  if (!handler) throw new JobParamsError(`unknown job kind ${JSON.stringify(kind)}`);
  let checked: JsonValue;
  try {
    checked = handler.params ? handler.params.parse(params, kind) : params;
    handler.validate?.(checked, undefined);
  } catch (err) {
    throw new JobParamsError((err as Error).message);
  }
  const signal = o.signal ?? new AbortController().signal;
  const ctx: JobContext = {
    jobId: `${kind}-${process.pid}`,
    kind,
    params: checked,
    signal,
    services: o.services,
    throwIfCancelled: () => signal.throwIfAborted(),
    progress: (fraction, message) => o.onProgress?.(fraction, message),
    warn: (message) => (o.onWarning ? o.onWarning(message) : o.onProgress?.(0, message)),
    curve: () => undefined,
  };
  return handler.run(ctx);
}
