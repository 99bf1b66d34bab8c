import { describe, it, expect } from 'vitest';
import { createApiDispatcher } from './dispatcher';
import { ApiError } from './errors';
import type { Med3dApiMethods } from './Med3dApi';

describe('createApiDispatcher', () => {
  it('turns unexpected errors into one line naming the method, and logs the original', async () => {
    const logged: unknown[] = [];
    const impl = {
      getAppInfo: async () => {
        throw new RangeError('Invalid typed array length: 7\n    at Foo (/x.ts:1:1)');
      },
      listCases: async () => {
        throw new ApiError('not-found', 'no case case-0009');
      },
    } as unknown as Med3dApiMethods;
    const d = createApiDispatcher(impl, { onError: (_m, e) => logged.push(e) });
    expect(await d('getAppInfo', undefined)).toEqual({ ok: false, error: { code: 'internal', message: 'getAppInfo failed: Invalid typed array length: 7' } });
    expect(logged).toHaveLength(1);
    expect(await d('listCases', undefined)).toEqual({ ok: false, error: { code: 'not-found', message: 'no case case-0009' } });
    expect(logged).toHaveLength(1);
  });
  it('refuses inherited names as methods', async () => {
    const d = createApiDispatcher({} as Med3dApiMethods);
    for (const m of ['constructor', '__proto__', 'toString']) expect(await d(m, undefined)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });
});
