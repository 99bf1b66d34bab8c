import { describe, it, expect } from 'vitest';
import { bindIpc } from './ipcBinding';
import { createFakeIpc } from './testing/fakeIpc';
import { createBridge } from '../../preload/createBridge';
import { ApiEventHub } from '../../common/api/ApiEventHub';
import { createApiDispatcher } from '../../common/api/dispatcher';
import { createApiClient } from '../../common/api/createApiClient';
import { createIpcTransport } from '../../common/api/ipcTransport';
import { INTERNAL_CHANNELS, methodChannel } from '../../common/api/channels';
import { METHOD_NAMES, type Med3dApiMethods } from '../../common/api/Med3dApi';

const impl = {
  getAppInfo: async () => ({ name: 'Med3D Workstation', version: 't', mode: 'electron', backend: null, platform: 'x', nativeDialogs: true, workspace: null, demoAvailable: true, initialOpen: null }),
  getVoxels: async () => new Uint16Array([1, 2, 65535]).buffer,
} as unknown as Med3dApiMethods;

describe('IPC binding + preload bridge', () => {
  it('registers one handler per API method on med3d: channels', () => {
    const fake = createFakeIpc();
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: new ApiEventHub() });
    expect([...fake.handlers.keys()].sort()).toEqual([...METHOD_NAMES.map(methodChannel), INTERNAL_CHANNELS.grantPaths].sort());
    expect([...fake.handlers.keys()].every((c) => c.startsWith('med3d:'))).toBe(true);
  });

  it('carries ArrayBuffers and events; the page never sees the IPC event object', async () => {
    const fake = createFakeIpc();
    const hub = new ApiEventHub();
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: hub }).attach(fake.webContents);
    const api = createApiClient(createIpcTransport(createBridge(fake.ipcRenderer)));
    expect([...new Uint16Array(await api.getVoxels({ volumeId: 'vol-1' }))]).toEqual([1, 2, 65535]);
    const seen: unknown[] = [];
    const off = api.onMenuCommand((e) => seen.push(e));
    hub.emit('menuCommand', { command: 'undo' });
    off();
    hub.emit('menuCommand', { command: 'redo' });
    expect(seen).toEqual([{ command: 'undo' }]);
  });

  it('validates payloads in main', async () => {
    const fake = createFakeIpc();
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: new ApiEventHub() });
    const bridge = createBridge(fake.ipcRenderer);
    expect(await bridge.invoke('med3d:getVoxels', { volumeId: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: 'volumeId: expected string, got 42' } });
    expect(await bridge.invoke('med3d:getVoxels', { volumeId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('the bridge refuses non-API channels, including the internal grant channel', async () => {
    const fake = createFakeIpc();
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: new ApiEventHub(), onGrantPaths: async (p) => p });
    const bridge = createBridge(fake.ipcRenderer);
    await expect(bridge.invoke(INTERNAL_CHANNELS.grantPaths, ['/etc'])).rejects.toThrow(/not an API method/);
    await expect(bridge.invoke('other:channel', {})).rejects.toThrow(/not an API method/);
    await expect(bridge.invoke('med3d:noSuchMethod', {})).rejects.toThrow(/not an API method/);
    expect(() => bridge.on('med3d:event:nope', () => undefined)).toThrow(/not an API event/);
    expect(bridge.droppedPaths).toBeUndefined();
  });

  it('droppedPaths grants only paths of real dropped files', async () => {
    const fake = createFakeIpc();
    const granted: string[] = [];
    bindIpc({
      ipcMain: fake.ipcMain,
      dispatch: createApiDispatcher(impl),
      events: new ApiEventHub(),
      onGrantPaths: async (p) => {
        granted.push(...p);
        return p;
      },
    });
    const paths = new Map<unknown, string>([['fileA', '/data/scan.nii.gz'], ['fileB', '']]);
    const bridge = createBridge(fake.ipcRenderer, (f) => paths.get(f) ?? '');
    expect(await bridge.droppedPaths?.(['fileA', 'fileB'] as unknown as File[])).toEqual(['/data/scan.nii.gz']);
    expect(granted).toEqual(['/data/scan.nii.gz']);
  });

  it('refuses calls from untrusted frames', async () => {
    const fake = createFakeIpc('https://evil.example/');
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: new ApiEventHub(), isTrustedSender: (u) => u.startsWith('app://med3d/') });
    const api = createApiClient(createIpcTransport(createBridge(fake.ipcRenderer)));
    await expect(api.getAppInfo()).rejects.toThrow(/untrusted frame/);
  });

  it('dispose removes every handler', () => {
    const fake = createFakeIpc();
    bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(impl), events: new ApiEventHub() }).dispose();
    expect(fake.handlers.size).toBe(0);
  });
});
