import { describe, it, expect } from 'vitest';
import { DEFAULT_LABELS, mergeLabelDefs } from './labels';

describe('mergeLabelDefs', () => {
  it('returns the defaults when nothing is given', () => {
    expect(mergeLabelDefs()).toEqual(DEFAULT_LABELS);
  });
  it('lets the scan override the workspace and the workspace override the defaults', () => {
    const r = mergeLabelDefs([{ value: 2, name: 'L lung', color: [1, 2, 3] }], [{ value: 2, name: 'ws', color: [0, 0, 0] }, { value: 9, name: 'spine', color: [9, 9, 9] }]);
    expect(r.find((l) => l.value === 2)?.name).toBe('L lung');
    expect(r.at(-1)?.value).toBe(9);
    expect(r.map((l) => l.value)).toEqual([1, 2, 3, 4, 5, 9]);
  });
});
