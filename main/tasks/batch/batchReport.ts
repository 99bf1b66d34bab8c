import type { BatchReport } from '../../../common/api/types';
import type { BatchSummary } from './runBatch';

/**
 * A batch run's summary as the job result the app shows: counts, report files and per case its
 * output (or error) and time. At most `maxCases` rows travel with the job (a folder of thousands
 * of scans stays a small message); the report files hold every case.
 */
export function batchReport(s: BatchSummary, maxCases = 500): BatchReport {
  const cases = s.cases.slice(0, maxCases).map((c) => ({
    id: c.id,
    status: c.status,
    timeS: c.timeS,
    ...(c.output !== undefined ? { output: c.output } : {}),
    ...(c.error !== undefined ? { error: c.error } : {}),
  }));
  return { exitCode: s.exitCode, ok: s.ok, failed: s.failed, skipped: s.skipped, reportJson: s.reportJson, reportCsv: s.reportCsv, cases, omitted: s.cases.length - cases.length };
}
