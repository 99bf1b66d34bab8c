import path from 'node:path';
import { readerErrorMessage } from '../../util/readerErrorMessage';

/**
 * A scan could not be read. The message is one line naming the file and the cause, e.g.
 * `cannot read /data/ct.nii.gz: truncated gzip stream`, so the CLI and the app can show it as-is.
 * Every volume reader (NIfTI, DICOM, SEG) throws this for bad input.
 */
export class VolumeReadError extends Error {
  /** File or folder that failed. */
  readonly file: string;
  /** The cause in words (without the file name). */
  readonly reason: string;

  constructor(file: string, cause: string | Error, options?: { cause?: unknown }) {
    // Engine errors (TypeError, RangeError) that escape a reader become a description, not raw JS text.
    const reason = typeof cause === 'string' ? cause : readerErrorMessage(cause);
    super(`cannot read ${file}: ${oneLine(reason)}`, { cause: options?.cause ?? (typeof cause === 'string' ? undefined : cause) });
    this.name = 'VolumeReadError';
    this.file = file;
    this.reason = oneLine(reason);
  }

  /** Wrap any thrown value as a VolumeReadError for `file` (kept as-is when it already is one). */
  static wrap(file: string, err: unknown): VolumeReadError {
    if (err instanceof VolumeReadError) return err;
    if (err instanceof Error) return new VolumeReadError(file, err);
    return new VolumeReadError(file, String(err));
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** Short display name used in warnings (the base name of a path). */
export function displayName(file: string): string {
  return path.basename(file);
}
