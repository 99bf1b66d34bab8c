// Electron preload (sandboxed: only 'electron' may be required; bundled by electron-vite).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './createBridge';

contextBridge.exposeInMainWorld('med3d', createBridge(ipcRenderer, (f) => webUtils.getPathForFile(f)));
