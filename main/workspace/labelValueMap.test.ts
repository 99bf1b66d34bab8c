import { describe, expect, it } from 'vitest';
import type { LabelDef } from '../../common/api/types';
import { applyLabelValues, planLabelValues } from './labelValueMap';

const WS: LabelDef[] = [
  { value: 1, name: 'Right lung', color: [220, 80, 80] },
  { value: 2, name: 'Left lung', color: [80, 160, 230] },
  { value: 3, name: 'Liver', color: [200, 140, 60] },
  { value: 4, name: 'Nodule', color: [240, 220, 60] },
];

describe('planLabelValues', () => {
  it('maps by name whatever the case, word order, separators and plurals; says what went where', () => {
    const p = planLabelValues(
      [
        { value: 0, name: 'background' },
        { value: 1, name: 'liver' },
        { value: 2, name: 'lung_right' },
        { value: 5, name: 'Nodules' },
      ],
      WS,
    );
    expect([...p.targets]).toEqual([
      [1, 3],
      [2, 1],
      [5, 4],
    ]);
    expect(p.added).toEqual([]);
    expect(p.notes).toEqual(['1 "liver" → 3 Liver', '2 "lung_right" → 1 Right lung', '5 "Nodules" → 4 Nodule']);
  });

  it('adds unknown names to the table (own value when free), keeps unnamed values, splits one "lung" by side', () => {
    const p = planLabelValues(
      [
        { value: 1, name: 'lungs' },
        { value: 2, name: 'tumour' },
        { value: 4, name: '4' },
        { value: 7, name: 'label 7' },
        { value: 300, name: 'vessel' },
      ],
      WS,
    );
    expect(p.targets.get(1)).toEqual({ sides: { right: 1, left: 2 } });
    expect(p.targets.get(4)).toBe(4);
    expect(p.targets.get(7)).toBe(7);
    expect(p.added.map((l) => [l.value, l.name])).toEqual([
      [5, 'tumour'],
      [7, 'Label 7'],
      [6, 'vessel'],
    ]);
    expect(p.notes[0]).toBe('1 "lungs" → 1 Right lung / 2 Left lung (split by side)');
  });
});

describe('applyLabelValues', () => {
  it('writes mapped values, drops unmapped ones, and splits sides at the label centre (RAS+: +x = right)', () => {
    // 4 x 1 x 1, x = i (identity affine): lung voxels at x = 0, 1, 2; liver at x = 3.
    const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const plan = planLabelValues(
      [
        { value: 1, name: 'lung' },
        { value: 2, name: 'liver' },
      ],
      WS,
    );
    expect(Array.from(applyLabelValues(Uint8Array.of(1, 1, 1, 2), [4, 1, 1], affine, plan))).toEqual([2, 2, 1, 3]);
    expect(Array.from(applyLabelValues(Uint16Array.of(9, 2, 0, 2), [4, 1, 1], affine, plan))).toEqual([0, 3, 0, 3]);
  });
});
