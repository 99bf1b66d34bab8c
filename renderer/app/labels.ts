import type { LabelDef } from '../../common/api';
import { defaultLabels } from '../../common/labels/defaultLabels';

/**
 * Label list for a scan: the scan's own labels (e.g. the phantom's true masks) take precedence
 * per value, then the workspace's, then the defaults (the workspace's default table, one in
 * common/labels for both sides); sorted by value, no duplicates.
 */
export function mergeLabelDefs(fromScan?: LabelDef[], fromWorkspace?: LabelDef[]): LabelDef[] {
  const out = new Map<number, LabelDef>();
  for (const src of [defaultLabels(), fromWorkspace ?? [], fromScan ?? []]) for (const l of src) out.set(l.value, l);
  return [...out.values()].sort((a, b) => a.value - b.value);
}
