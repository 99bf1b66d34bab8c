import { describe, expect, it } from 'vitest';
import { labelTableMismatch } from './labelTableMismatch';

describe('labelTableMismatch', () => {
  const bg = { value: 0, name: 'background' };
  it('same foreground table (background name aside): no warning', () => {
    expect(labelTableMismatch([bg, { value: 1, name: 'organ' }], [{ value: 0, name: 'bg' }, { value: 1, name: 'organ' }])).toBeNull();
  });
  it('other names or values: says both tables', () => {
    expect(labelTableMismatch([bg, { value: 1, name: 'kidney_left' }, { value: 2, name: 'kidney_right' }], [bg, { value: 1, name: 'liver' }])).toBe(
      "the model's labels (1=kidney_left, 2=kidney_right) differ from the dataset's (1=liver); labels are matched by value",
    );
  });
});
