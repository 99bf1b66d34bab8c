import { describe, it, expect } from 'vitest';
import { defaultLabels } from '../../common/labels/defaultLabels';
import { mergeLabelDefs } from './labels';

describe('mergeLabelDefs', () => {
  it('returns the workspace default table when nothing is given (1 right lung, 2 left lung, 3 liver, 4 nodule)', () => {
    expect(mergeLabelDefs()).toEqual(defaultLabels());
    expect(mergeLabelDefs().map((l) => `${l.value} ${l.name}`)).toEqual(['1 Right lung', '2 Left lung', '3 Liver', '4 Nodule']);
  });
  it('lets the scan override the workspace and the workspace override the defaults', () => {
    const r = mergeLabelDefs([{ value: 2, name: 'L lung', color: [1, 2, 3] }], [{ value: 2, name: 'ws', color: [0, 0, 0] }, { value: 9, name: 'spine', color: [9, 9, 9] }]);
    expect(r.find((l) => l.value === 2)?.name).toBe('L lung');
    expect(r.at(-1)?.value).toBe(9);
    expect(r.map((l) => l.value)).toEqual([1, 2, 3, 4, 9]);
  });
});
