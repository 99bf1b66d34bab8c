import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveAppRequest } from './appProtocol';
import { dialogSpec } from './dialogs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-app-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
  await writeFile(path.join(dir, 'a.js'), 'x');
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
});

describe('dialogs', () => {
  it.each([
    ['dicom-folder', 'openDirectory'],
    ['nifti', 'openFile'],
    ['workspace', 'createDirectory'],
    ['weights', 'openFile'],
  ] as const)('%s dialog allows %s', (purpose, prop) => {
    expect(dialogSpec(purpose).properties).toContain(prop);
  });
  it('export is a save dialog', () => {
    expect(dialogSpec('export-mask').kind).toBe('save');
  });
});
