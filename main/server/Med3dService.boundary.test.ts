import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiDispatcher } from '../../common/api/dispatcher';
import { ApiError } from '../../common/api/errors';
import { METHOD_NAMES } from '../../common/api/Med3dApi';
import { JobRegistry } from '../jobs/jobRegistry';
import { WorkspaceError } from '../workspace/WorkspaceError';
import { Med3dService } from './Med3dService';

let dir: string;
let svc: Med3dService;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-boundary-')));
  const registry = new JobRegistry();
  registry.register('fails', {
    run: async () => {
      throw new WorkspaceError('not-found', `model file ${path.join(dir, 'x.m3d')} is missing`, path.join(dir, 'x.m3d'));
    },
  });
  svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), registry, discoverJobKinds: false });
});

afterAll(async () => {
  await svc.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Med3dService boundary', () => {
  it('every API method is an own function of the service (the dispatcher calls them by name)', () => {
    for (const m of METHOD_NAMES) {
      expect(Object.prototype.hasOwnProperty.call(svc, m), m).toBe(true);
      expect(typeof (svc as unknown as Record<string, unknown>)[m], m).toBe('function');
    }
  });

  it("maps the workspace's and the job manager's own errors to ApiError, keeping code and message", async () => {
    const noCase = await svc.openCase({ caseId: 'case-9999' }).catch((e: unknown) => e);
    expect(noCase).toBeInstanceOf(ApiError);
    expect(noCase).toMatchObject({ code: 'not-found' });
    const noJob = await svc.getJob({ jobId: 'job-none' }).catch((e: unknown) => e);
    expect(noJob).toBeInstanceOf(ApiError);
    expect(noJob).toMatchObject({ code: 'not-found' });
    const unknownKind = await svc.startJob({ kind: 'nope' }).catch((e: unknown) => e);
    expect(unknownKind).toBeInstanceOf(ApiError);
    expect(unknownKind).toMatchObject({ code: 'invalid-request' });
    // Through the dispatcher (every transport): the same data, not an 'internal' error.
    expect(await createApiDispatcher(svc)('openCase', { caseId: 'case-9999' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it("a job that fails with a workspace error reports that error's code, message and file", async () => {
    const { jobId } = await svc.startJob({ kind: 'fails' });
    const job = await svc.jobs.wait(jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toEqual({ code: 'not-found', message: `model file ${path.join(dir, 'x.m3d')} is missing`, file: path.join(dir, 'x.m3d') });
  });
});
