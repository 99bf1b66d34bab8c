import path from 'node:path';
// A stand-in for the 'electron' module: just enough for out/main/index.js to start headless.
export const state = globalThis.__fakeElectron = { ipc: new Map(), windows: [], protocol: null };
class BrowserWindow { constructor(o) { this.opts = o; this.sent = []; state.windows.push(this); this.webContents = { setWindowOpenHandler() {}, on() {}, send: (c, p) => this.sent.push([c, p]), isDestroyed: () => false }; } once() {} show() {} loadURL(u) { this.url = u; return Promise.resolve(); } static getAllWindows() { return state.windows; } }
export { BrowserWindow };
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu() {} };
export const app = { enableSandbox() { state.sandboxAll = true; }, whenReady: () => Promise.resolve(), getPath: (n) => path.join(process.env.FAKE_DIR, n), getVersion: () => '0.1.0', isPackaged: false, on() {}, quit() {}, exit(c) { process.exit(c); } };
export const dialog = { showErrorBox: (t, m) => console.error('ERRORBOX', t, m), showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) };
export const ipcMain = { handle: (c, f) => state.ipc.set(c, f), removeHandler: (c) => state.ipc.delete(c) };
export const protocol = { registerSchemesAsPrivileged() {}, handle: (s, f) => (state.protocol = f) };
export const session = { defaultSession: { setPermissionRequestHandler(f) { state.permissionRequest = f; }, setPermissionCheckHandler(f) { state.permissionCheck = f; }, setDevicePermissionHandler(f) { state.devicePermission = f; }, on() {} } };
export default { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session };
