import type { JobProgress } from '../../engine/worker/protocol';
import type { JobContext } from '../../jobs/jobRegistry';

/**
 * What a training job in the engine worker reports, carried to the app's job: the loss and the
 * named validation metrics as curves by step, progress between 5 % and 95 % (the job's own steps
 * take the rest), and `last`, the latest value of every number reported (a cancelled run says there
 * which step it kept).
 */
export function followTraining(ctx: JobContext, metricCurves: readonly string[]): { onProgress: (e: JobProgress) => void; last: Record<string, number> } {
  const last: Record<string, number> = {};
  return {
    last,
    onProgress: (e) => {
      const v = e.values ?? {};
      Object.assign(last, v);
      for (const name of ['loss', ...metricCurves]) if (v[name] !== undefined && v.step !== undefined) ctx.curve(name, v.step, v[name]);
      ctx.progress(0.05 + 0.9 * (e.fraction ?? 0), e.message);
    },
  };
}
