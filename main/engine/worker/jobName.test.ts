import { describe, expect, it } from 'vitest';
import { checkJobName } from './jobName';
import { builtinJobs } from './builtinJobs';
import { jobs as taskJobs } from '../../tasks/jobs/taskWorkerJobs';

describe('one job naming scheme', () => {
  it.each(['predict', 'nodule:classify', 'engine:conv-workload', 'a1:b-2:c'])('accepts %s', (n) => expect(() => checkJobName(n)).not.toThrow());
  it.each(['tasks.predict', 'Predict', 'nodule:', ':x', 'conv_workload', ''])('refuses %j', (n) => expect(() => checkJobName(n)).toThrow(/lower-case words joined by '-', grouped by ':'/));
  it('every engine-worker job follows it', () => {
    for (const n of [...Object.keys(builtinJobs), ...Object.keys(taskJobs)]) expect(() => checkJobName(n), n).not.toThrow();
  });
});
