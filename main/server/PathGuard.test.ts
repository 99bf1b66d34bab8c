import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, writeFile, symlink, rm, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PathGuard } from './PathGuard';
import { ApiError } from '../../common/api/errors';

let dir: string;
let root: string;
let outside: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-guard-')));
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, 'sub', 'a.nii'), 'x');
  await writeFile(path.join(outside, 'secret.nii'), 'x');
  await symlink(outside, path.join(root, 'escape'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof ApiError ? e.code : 'other';
  }
}

describe('PathGuard', () => {
  it('accepts absolute paths inside a root', async () => {
    const g = new PathGuard({ roots: [root] });
    expect(await g.resolve(path.join(root, 'sub', 'a.nii'))).toBe(path.join(root, 'sub', 'a.nii'));
    expect(await g.resolve(path.join(root, 'new-export.nii.gz'))).toBe(path.join(root, 'new-export.nii.gz'));
  });
  it('refuses relative paths without a base folder, whatever the roots are', async () => {
    const g = new PathGuard({ roots: [path.join(root, 'sub'), root] });
    await expect(g.resolve('a.nii', { what: 'scan' })).rejects.toThrow('scan "a.nii" is relative: give an absolute path');
    expect(await code(g.resolve('sub/a.nii'))).toBe('forbidden-path');
  });
  it('resolves relative paths against the base folder when one is given', async () => {
    const g = new PathGuard({ roots: [root], base: path.join(root, 'sub') });
    expect(await g.resolve('a.nii')).toBe(path.join(root, 'sub', 'a.nii'));
    expect(await code(g.resolve('../../outside/secret.nii'))).toBe('forbidden-path');
  });
  it.each([
    ['parent traversal', (r: string) => path.join(r, '..', 'outside', 'secret.nii')],
    ['relative traversal', () => '../outside/secret.nii'],
    ['relative path', () => 'sub/a.nii'],
    ['symlink escaping the root', (r: string) => path.join(r, 'escape', 'secret.nii')],
    ['system file', () => '/etc/passwd'],
    ['sibling with root as name prefix', (r: string) => `${r}-evil/x.nii`],
  ])('refuses %s', async (_name, mk) => {
    const g = new PathGuard({ roots: [root] });
    expect(await code(g.resolve(mk(root)))).toBe('forbidden-path');
  });
  it('names the path and the allowed folders in the error', async () => {
    const g = new PathGuard({ roots: [root] });
    await expect(g.resolve('/etc/passwd')).rejects.toThrow(`/etc/passwd is outside the allowed folders (${root})`);
  });
  it('accepts what the user chose (dialog, drop), including inside a chosen folder', async () => {
    const g = new PathGuard({ roots: [root] });
    await g.grant(outside);
    expect(await g.resolve(path.join(outside, 'secret.nii'))).toBe(path.join(outside, 'secret.nii'));
    expect(await code(g.grant('relative/path'))).toBe('forbidden-path');
  });
  it('mustExist reports a missing file as bad-file naming it', async () => {
    const g = new PathGuard({ roots: [root] });
    await expect(g.resolve(path.join(root, 'sub/missing.nii'), { mustExist: true })).rejects.toThrow(`cannot read ${path.join(root, 'sub', 'missing.nii')}: no such file`);
  });
  it('rejects NUL bytes', async () => {
    const g = new PathGuard({ roots: [root] });
    expect(await code(g.resolve('a\0b'))).toBe('invalid-request');
  });
});
