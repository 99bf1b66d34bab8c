import { mount } from 'svelte';
import App from './App.svelte';
import { connectApi, type Med3dApi } from '../common/api';
import './app/app.css';

/** Replaced at build time: true only in development builds made with MED3D_DEV_MOCK=1. */
declare const __MED3D_DEV_MOCK__: boolean;

async function connect(): Promise<{ api: Med3dApi; mode: 'electron' | 'web' }> {
  if (typeof __MED3D_DEV_MOCK__ !== 'undefined' && __MED3D_DEV_MOCK__ && new URLSearchParams(location.search).has('mock')) {
    const { createMockApi } = await import('./dev/mockApi');
    return { api: createMockApi(), mode: 'web' };
  }
  return connectApi();
}

const target = document.getElementById('app')!;
connect().then(
  ({ api, mode }) => mount(App, { target, props: { api, mode } }),
  (err: unknown) => {
    target.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'fatal';
    p.setAttribute('role', 'alert');
    p.textContent = `Cannot reach the Med3D engine: ${err instanceof Error ? err.message : String(err)}. In web mode open the URL printed by "med3d serve" (it carries the token).`;
    target.appendChild(p);
  },
);
