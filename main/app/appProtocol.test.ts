import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveAppRequest } from './appProtocol';
import { dialogSpec } from './dialogs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-app-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
  await writeFile(path.join(dir, 'a.js'), 'x');
  // Symlinks inside the renderer folder that point out of it (a file and a folder).
  await mkdir(path.join(dir, 'outside'));
  await writeFile(path.join(dir, 'outside', 'secret.txt'), 'secret');
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html>');
  await symlink(path.join(dir, 'outside', 'secret.txt'), path.join(dir, 'renderer', 'leak.txt'));
  await symlink(path.join(dir, 'outside'), path.join(dir, 'renderer', 'dir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('app:// protocol', () => {
  it('serves the renderer with a CSP on HTML', async () => {
    const r = await serveAppRequest(dir, 'app://med3d/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await serveAppRequest(dir, 'app://med3d/a.js')).headers.get('content-type')).toContain('javascript');
  });
  it.each(['app://med3d/../../etc/passwd', 'app://med3d/%2e%2e/%2e%2e/etc/passwd', 'app://other/index.html', 'app://med3d/missing.js'])('404 for %s', async (u) => {
    expect((await serveAppRequest(dir, u)).status).toBe(404);
  });
  it('does not follow symlinks out of the renderer folder', async () => {
    const root = path.join(dir, 'renderer');
    expect((await serveAppRequest(root, 'app://med3d/index.html')).status).toBe(200);
    expect((await serveAppRequest(root, 'app://med3d/leak.txt')).status).toBe(404);
    expect((await serveAppRequest(root, 'app://med3d/dir/secret.txt')).status).toBe(404);
  });
  it.each(['app://med3d/%E0%A4%A', 'app://med3d/%zz', 'app://med3d/a%00.js', 'not a url', 'app://[bad'])('answers %s without throwing (400 or 404)', async (u) => {
    const r = await serveAppRequest(dir, u);
    expect([400, 404]).toContain(r.status);
  });
});

describe('dialogs', () => {
  it.each([
    ['dicom-folder', 'openDirectory'],
    ['nifti', 'openFile'],
    ['workspace', 'createDirectory'],
    ['weights', 'openFile'],
    ['folder', 'openDirectory'],
  ] as const)('%s dialog allows %s', (purpose, prop) => {
    expect(dialogSpec(purpose).properties).toContain(prop);
  });
  it('export is a save dialog', () => {
    expect(dialogSpec('export-mask').kind).toBe('save');
    expect(dialogSpec('export-model').kind).toBe('save');
  });
});
