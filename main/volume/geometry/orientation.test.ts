import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../test/sharedDir';
import { fromRows } from './affine';
import { axisCodes, orientationFromCodes } from './orientation';

describe('axisCodes (nibabel aff2axcodes)', () => {
  it.each([
    ['RAS', [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]],
    ['LPS', [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0]]],
    ['AIR', [[0, 0, 2.4, 0], [2.4, 0, 0, 0], [0, -2.4, 0, 0]]],
    ['LAS oblique 20°', [[-1, 0, 0, 0], [0, Math.cos(0.35), -Math.sin(0.35), 0], [0, Math.sin(0.35), Math.cos(0.35), 0]]],
  ])('%s', (name, rows) => {
    expect(axisCodes(fromRows(rows as number[][]))).toBe(name.slice(0, 3));
  });

  it('parses codes and refuses invalid ones', () => {
    expect(orientationFromCodes('LPI')).toEqual([
      { worldAxis: 0, sign: -1 },
      { worldAxis: 1, sign: -1 },
      { worldAxis: 2, sign: -1 },
    ]);
    expect(() => orientationFromCodes('RRS')).toThrow(/invalid/);
  });
});

const hasData = sharedAvailable('manifest axcodes');
describe.skipIf(!hasData)('axisCodes matches nibabel on every manifest affine', () => {
  it('all files with axcodes', () => {
    const m = JSON.parse(readFileSync(path.join(DATA_DIR, 'manifest.json'), 'utf8')) as {
      files: Array<{ path: string; facts?: { affine?: number[][]; axcodes?: string } }>;
    };
    const withCodes = m.files.filter((f) => f.facts?.axcodes && f.facts.affine);
    expect(withCodes.length).toBeGreaterThan(5);
    for (const f of withCodes) expect([f.path, axisCodes(fromRows(f.facts!.affine!))]).toEqual([f.path, f.facts!.axcodes]);
  });
});
