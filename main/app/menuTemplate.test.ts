import { describe, it, expect } from 'vitest';
import { menuTemplate, type MenuItemSpec } from './menuTemplate';
import { electronCsp } from './csp';

function find(items: MenuItemSpec[], label: string): MenuItemSpec | undefined {
  for (const i of items) {
    if (i.label === label) return i;
    const inner = i.submenu && find(i.submenu, label);
    if (inner) return inner;
  }
  return undefined;
}

describe('native menu', () => {
  it('has the File and Edit entries the issue names, wired to dialogs or the renderer', () => {
    const calls: string[] = [];
    const t = menuTemplate({ choose: (c) => calls.push(`choose:${c}`), send: (c) => calls.push(`send:${c}`), recent: [{ label: '/a.nii', open: () => calls.push('recent') }] }, 'linux');
    for (const l of ['Open DICOM Folder…', 'Open NIfTI…', 'Open Workspace…', 'Import Weights…', 'Export Mask…', 'Undo', 'Redo', '/a.nii']) find(t, l)?.click?.();
    expect(calls).toEqual(['choose:open-dicom', 'choose:open-nifti', 'choose:open-workspace', 'choose:import-weights', 'send:export-mask', 'send:undo', 'send:redo', 'recent']);
    expect(find(t, 'Undo')?.accelerator).toBe('CmdOrCtrl+Z');
    expect(find(t, 'Redo')?.accelerator).toBe('Ctrl+Y');
    expect(menuTemplate({ choose: () => undefined, send: () => undefined, recent: [] }, 'darwin')[0].role).toBe('appMenu');
  });
});

describe('Content-Security-Policy', () => {
  it('allows only the app itself (no remote, no inline script, no eval)', () => {
    const csp = electronCsp();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(csp).not.toMatch(/ 'unsafe-eval'|script-src[^;]*unsafe-inline|https?:/);
    expect(csp).toContain("object-src 'none'");
  });
  it('admits the dev server only when given', () => {
    expect(electronCsp({ devServer: 'http://localhost:5173' })).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173');
  });
});
