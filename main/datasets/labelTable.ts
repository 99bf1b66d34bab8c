import type { LabelEntry } from './Dataset';

/**
 * Read a dataset.json `labels` object in either direction: MSD / nnU-Net v1 write index → name
 * (`{"0": "background", "1": "liver"}`), nnU-Net v2 writes name → index (`{"background": 0, "liver": 1}`).
 * Returns the table sorted by value with 0 = background always present, or a one-line problem.
 * nnU-Net v2 region labels (`"tumour": [1, 2]`) are overlapping regions, not a label table: rejected.
 */
export function parseLabelTable(labels: unknown): { labels: LabelEntry[]; direction: 'index-name' | 'name-index' } | { error: string } {
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return { error: '`labels` is missing or not an object' };
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length === 0) return { error: '`labels` is empty' };
  const out: LabelEntry[] = [];
  let direction: 'index-name' | 'name-index';
  if (entries.every(([, v]) => typeof v === 'string')) {
    direction = 'index-name';
    for (const [k, v] of entries) {
      const value = Number(k);
      if (!Number.isInteger(value) || value < 0 || value > 65535) return { error: `label index '${k}' is not an integer 0–65535` };
      out.push({ value, name: v as string });
    }
  } else if (entries.every(([, v]) => typeof v === 'number' || typeof v === 'string')) {
    direction = 'name-index';
    for (const [name, v] of entries) {
      const value = Number(v);
      if (!Number.isInteger(value) || value < 0 || value > 65535) return { error: `label '${name}' has value ${JSON.stringify(v)}, not an integer 0–65535` };
      out.push({ value, name });
    }
  } else {
    const region = entries.find(([, v]) => Array.isArray(v));
    return {
      error: region
        ? `label '${region[0]}' is a region (a list of values); region-based labels are not supported`
        : 'label values must all be names (index → name) or all be numbers (name → index)',
    };
  }
  out.sort((a, b) => a.value - b.value);
  for (let i = 1; i < out.length; i++) if (out[i].value === out[i - 1].value) return { error: `label value ${out[i].value} appears twice` };
  if (out[0]?.value !== 0) out.unshift({ value: 0, name: 'background' });
  return { labels: out, direction };
}

/** `0 background, 1 liver` — for error messages. */
export function describeLabels(labels: LabelEntry[]): string {
  return labels.map((l) => `${l.value} ${l.name}`).join(', ');
}
