import type { ModelVersionInfo } from '../../../common/api/types';
import type { NewModelVersion, Workspace } from '../../workspace/Workspace';

/**
 * Registers a fine-tune job's candidate (both kinds, 'finetune' and 'nodule:finetune') in the
 * workspace's models: origin 'finetune', seconds to a tenth, active only when its comparison
 * promoted it (a cancelled, kept-baseline or manual candidate waits for the user).
 */
export function addFineTunedVersion(ws: Workspace, slot: { versionId: string; file: string }, version: Omit<NewModelVersion, 'origin'> & { comparison: NonNullable<NewModelVersion['comparison']>; seconds: number }): Promise<ModelVersionInfo> {
  return ws.addModelVersion(slot.versionId, slot.file, { ...version, origin: 'finetune', seconds: Math.round(version.seconds * 10) / 10 }, { activate: version.comparison.decision === 'promoted' });
}
