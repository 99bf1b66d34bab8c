import { describe, expect, it } from 'vitest';
import { chooseHeldOut } from './chooseHeldOut';

const none = new Set<string>();

describe('chooseHeldOut', () => {
  it('holds out nothing below two verified cases, and says so', () => {
    expect(chooseHeldOut([], { fraction: 0.2, trained: none, heldBefore: none })).toEqual({ validation: [], impossible: 'fewer than two verified cases' });
    expect(chooseHeldOut(['c1'], { fraction: 0.2, trained: none, heldBefore: none }).validation).toEqual([]);
  });

  it('holds out splitValidation’s count, never all cases', () => {
    expect(chooseHeldOut(['c1', 'c2'], { fraction: 0.2, trained: none, heldBefore: none }).validation).toHaveLength(1);
    expect(chooseHeldOut(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10'], { fraction: 0.2, trained: none, heldBefore: none }).validation).toHaveLength(2);
  });

  it('never validates on a case the start or active model trained on', () => {
    const r = chooseHeldOut(['c1', 'c2', 'c3', 'c4', 'c5'], { fraction: 0.4, trained: new Set(['c1', 'c2', 'c3', 'c4']), heldBefore: none });
    expect(r.validation).toEqual(['c5']);
    const all = chooseHeldOut(['c1', 'c2'], { fraction: 0.5, trained: new Set(['c1', 'c2']), heldBefore: none });
    expect(all.validation).toEqual([]);
    expect(all.impossible).toMatch(/has not trained on/);
  });

  it('keeps the cases that validated earlier versions held out', () => {
    const r = chooseHeldOut(['c1', 'c2', 'c3', 'c4', 'c5'], { fraction: 0.2, trained: none, heldBefore: new Set(['c1']) });
    expect(r.validation).toEqual(['c1']);
  });
});
