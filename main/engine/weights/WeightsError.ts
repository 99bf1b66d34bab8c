import { readerErrorMessage } from '../../util/readerErrorMessage';

/**
 * A weights file could not be read or does not fit: the message is one line, `<file>: <cause>`,
 * so the CLI and the app can show it as-is.
 */
export class WeightsError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'WeightsError';
  }
}

/** Wrap any error thrown while reading `file` into a one-line WeightsError (idempotent). */
export function asWeightsError(file: string, err: unknown): WeightsError {
  if (err instanceof WeightsError) return err;
  // Engine errors (TypeError, RangeError) that escape a reader become a description, not raw JS text.
  const e = new WeightsError(file, readerErrorMessage(err));
  (e as { cause?: unknown }).cause = err;
  return e;
}
