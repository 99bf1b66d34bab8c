import type { LabelDef } from '../../common/api';

/** Labels offered before a workspace or a scan says otherwise (the Med3D tasks' classes). */
export const DEFAULT_LABELS: LabelDef[] = [
  { value: 1, name: 'lung', color: [80, 160, 255] },
  { value: 2, name: 'liver', color: [220, 130, 60] },
  { value: 3, name: 'nodule', color: [255, 215, 0] },
  { value: 4, name: 'tumour', color: [230, 60, 80] },
  { value: 5, name: 'other', color: [120, 220, 120] },
];

/**
 * Label list for a scan: the scan's own labels (e.g. the phantom's true masks) take precedence
 * per value, then the workspace's, then the defaults; sorted by value, no duplicates.
 */
export function mergeLabelDefs(fromScan?: LabelDef[], fromWorkspace?: LabelDef[]): LabelDef[] {
  const out = new Map<number, LabelDef>();
  for (const src of [DEFAULT_LABELS, fromWorkspace ?? [], fromScan ?? []]) for (const l of src) out.set(l.value, l);
  return [...out.values()].sort((a, b) => a.value - b.value);
}
