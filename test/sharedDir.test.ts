import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { SHARED_DIR, hasShared, sharedAvailable } from './sharedDir';

describe('sharedDir', () => {
  it('reports presence consistently with the filesystem', () => {
    expect(sharedAvailable()).toBe(hasShared);
    expect(hasShared).toBe(existsSync(`${SHARED_DIR}/fixtures`) || existsSync(`${SHARED_DIR}/data`));
  });
});
