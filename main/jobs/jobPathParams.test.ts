import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { ApiError } from '../../common/api/errors';
import { JobError } from './JobError';
import { checkJobPaths, hasPathValues, refuseUndeclaredPaths, type JobPathPolicy } from './jobPathParams';

const ROOT = '/allowed';
const policy: JobPathPolicy = {
  resolve: async (p, o) => {
    if (!path.isAbsolute(p)) throw new ApiError('forbidden-path', `${o.what} "${p}" is relative`);
    if (!p.startsWith(`${ROOT}/`)) throw new ApiError('forbidden-path', `${o.what} ${p} is outside the allowed folders`);
    return path.normalize(p);
  },
  checkWrite: (abs, what) => {
    if (abs.startsWith(`${ROOT}/ws/`)) throw new ApiError('forbidden-path', `${what} ${abs} is inside the workspace`);
  },
};
const decl = { in: 'read', out: 'write', model: { access: 'read', idPattern: /^[a-z0-9-]+$/ } } as const;

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ApiError || e instanceof JobError ? `${e.code}: ${e.message}` : 'other'),
  );
}

describe('job path parameters', () => {
  it('resolves declared parameters and leaves ids and other values alone', async () => {
    const out = await checkJobPaths('batch', { task: 'lung', in: '/allowed/scans/../scans', out: '/allowed/masks', model: 'lung-v3', shard: '1/4' }, decl, policy);
    expect(out).toEqual({ task: 'lung', in: '/allowed/scans', out: '/allowed/masks', model: 'lung-v3', shard: '1/4' });
  });
  it.each([
    [{ in: '/etc', out: '/allowed/o' }, 'forbidden-path: batch input "in" /etc is outside'],
    [{ in: '/allowed/i', out: '/tmp/o' }, 'forbidden-path: batch output "out" /tmp/o is outside'],
    [{ in: '/allowed/i', out: '/allowed/ws/labels' }, 'forbidden-path: batch output "out" /allowed/ws/labels is inside the workspace'],
    [{ in: '/allowed/i', out: '/allowed/o', model: '../w.pth' }, 'forbidden-path: batch input "model" "../w.pth" is relative'],
    [{ in: 3, out: '/allowed/o' }, 'invalid-request: batch: parameter "in" must be a path'],
    [{ in: '/allowed/i', out: '/allowed/o', extra: { deep: ['/etc/passwd'] } }, 'forbidden-path: batch: parameter "extra.deep[0]" looks like a path'],
  ])('refuses %j', async (params, msg) => {
    expect(await codeOf(checkJobPaths('batch', params, decl, policy))).toContain(msg);
  });
  it('undeclared path-like values are refused in every form', () => {
    for (const p of ['/etc/passwd', '~/x', 'C:\\\\x', '\\\\\\\\server\\\\share', 'file:///etc/passwd']) {
      expect(() => refuseUndeclaredPaths('predict', { task: 'lung', note: p })).toThrow(/looks like a path/);
    }
    expect(() => refuseUndeclaredPaths('predict', { task: 'lung', shard: '1/4', name: 'a.b' })).not.toThrow();
  });
  it('hasPathValues ignores ids and absent values', () => {
    expect(hasPathValues({ model: 'lung-v3' }, decl)).toBe(false);
    expect(hasPathValues({ in: null }, decl)).toBe(false);
    expect(hasPathValues({ in: '/x' }, decl)).toBe(true);
    expect(hasPathValues({ in: '/x' }, undefined)).toBe(false);
  });
});
