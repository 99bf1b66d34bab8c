import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobRegistry } from '../../jobs/jobRegistry';
import { loadJobKinds } from '../../jobs/loadJobKinds';
import { toTaskClasses, toWorkspaceLabels } from './taskLabels';
import type { LabelMap } from '../../volume/Volume';

const tasksDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('task job kinds', () => {
  it('registers predict, finetune, batch and nodule:classify through the job-kind convention', async () => {
    const registry = new JobRegistry();
    const errors: string[] = [];
    await loadJobKinds({ registry, tasksDir, onError: (f, e) => errors.push(`${f}: ${String(e)}`) });
    expect(errors).toEqual([]);
    expect(registry.list()).toEqual(expect.arrayContaining(['batch', 'finetune', 'nodule:classify', 'predict']));
  });

  it('validates parameters before a job starts', () => {
    const registry = new JobRegistry();
    return loadJobKinds({ registry, tasksDir }).then(() => {
      expect(() => registry.get('predict')!.params!.parse({ task: 'heart' }, 'predict')).toThrow(/^predict\.task: expected "lung" \| "liver" \| "nodule", got "heart"$/);
      expect(() => registry.get('predict')!.validate!({ task: 'lung' }, undefined)).toThrow(/caseId/);
      expect(() => registry.get('finetune')!.validate!({ task: 'nodule' }, undefined)).toThrow(/task must be one of lung, liver/);
      expect(() => registry.get('finetune')!.validate!({ task: 'lung', patch: [10, 16, 16] }, undefined)).toThrow(/multiples of 8/);
      // Both fine-tune kinds declare their parameters with schemas: the save trigger is kept, typos are refused.
      expect(registry.get('finetune')!.params!.parse({ task: 'lung', trigger: 'save', steps: 3 }, 'finetune')).toEqual({ task: 'lung', trigger: 'save', steps: 3 });
      expect(() => registry.get('finetune')!.params!.parse({ task: 'lung', step: 3 }, 'finetune')).toThrow(/^finetune\.step: expected no such field, got 3$/);
      expect(() => registry.get('finetune')!.params!.parse({ task: 'lung', steps: 0 }, 'finetune')).toThrow(/^finetune\.steps: expected integer in \[1, 1000000\], got 0$/);
      expect(registry.get('nodule:finetune')!.params!.parse({ task: 'nodule', trigger: 'manual', patch: [16, 16, 16] }, 'nodule:finetune')).toEqual({ task: 'nodule', trigger: 'manual', patch: [16, 16, 16] });
      expect(() => registry.get('nodule:finetune')!.params!.parse({ task: 'lung' }, 'nodule:finetune')).toThrow(/^nodule:finetune\.task: expected "nodule"/);
      expect(() => registry.get('nodule:finetune')!.validate!({ patch: [12, 16, 16] }, undefined)).toThrow(/nodule:finetune: patch sizes must be multiples of 8/);
      expect(() => registry.get('nodule:finetune')!.validate!({ minutes: 0 }, undefined)).toThrow(/minutes must be a positive number/);
      // 'batch' declares its parameters with a schema (checked before validate): field names in the errors.
      expect(() => registry.get('batch')!.params!.parse({ task: 'lung', in: '/a' }, 'batch')).toThrow(/^batch\.out: expected string, got undefined$/);
      expect(() => registry.get('batch')!.params!.parse({ task: 'lung', in: '/a', out: '/b', format: 'png' }, 'batch')).toThrow(/batch\.format: expected "nifti" \| "dicom-seg"/);
      expect(() => registry.get('batch')!.validate!({ in: '/a', out: '/b' }, undefined)).toThrow(/task is required without a model/);
      expect(() => registry.get('batch')!.validate!({ task: 'lung', in: '/a', out: '/b', shard: '2/2' }, undefined)).toThrow(/0 <= i < N/);
      expect(() => registry.get('nodule:classify')!.params!.parse({ point: { frame: 'lps', coords: [1, 2, 3] } }, 'nodule:classify')).toThrow(/nodule:classify\.point\.frame: expected "world" \| "voxel", got "lps"/);
      expect(() => registry.get('nodule:classify')!.validate!({ point: { frame: 'world', coords: [1, 2, 3] } }, undefined)).toThrow(/needs a caseId/);
    });
  });
});

describe('task classes ↔ workspace labels', () => {
  const mask = (data: number[]): LabelMap => ({ data: Uint8Array.from(data), dims: [data.length, 1, 1], spacing: [1, 1, 1], affine: new Float64Array(16), meta: { warnings: [] }, labels: [] });
  it('maps liver class 1 to workspace label 3 and keeps other labels', () => {
    const existing = Uint8Array.from([1, 2, 3, 0, 4]);
    expect(Array.from(toWorkspaceLabels('liver', mask([0, 0, 0, 1, 1]), existing))).toEqual([1, 2, 0, 3, 3]);
    expect(Array.from(toWorkspaceLabels('lung', mask([1, 0, 2, 0, 0]), existing))).toEqual([1, 0, 2, 0, 4]); // the old lung labels go, liver and nodule stay unless overwritten
    expect(Array.from(toTaskClasses('liver', existing))).toEqual([0, 0, 1, 0, 0]);
    expect(Array.from(toTaskClasses('lung', existing))).toEqual([1, 2, 0, 0, 0]);
  });
});
