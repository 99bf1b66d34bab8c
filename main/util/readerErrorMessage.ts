/**
 * The cause of a failed file read, in words a user can act on. Reader code throws Errors whose
 * messages already say what is wrong with the file; anything else that escapes a reader is a
 * JavaScript engine error (TypeError, RangeError: a corrupt size or offset that slipped past a check)
 * whose raw text ("Invalid typed array length: -4", "Maximum call stack size exceeded") means nothing
 * to a user. Those are translated here, once, for every reader boundary (VolumeReadError,
 * WeightsError); the original stays available as the error's cause (MED3D_DEBUG=1 prints the stack).
 */
const ENGINE_ERRORS: ReadonlyArray<readonly [RegExp, string]> = [
  [/call stack/i, 'its structure is nested too deeply to read'],
  [/typed array length|array length|allocation failed|buffer size|too large|out of memory/i, 'it declares sizes that are too large or inconsistent'],
  [/out of bounds|outside the bounds|offset|beyond|index/i, 'its fields point outside the file (truncated or corrupt)'],
  [/code point|string length|invalid character|unicode|utf/i, 'it holds corrupt text fields'],
];

const ENGINE_ERROR_TYPES: Array<new (...args: never[]) => Error> = [TypeError, RangeError, SyntaxError, ReferenceError, URIError, EvalError, WebAssembly.RuntimeError, WebAssembly.CompileError];

/** Whether `err` is a raw JavaScript engine error rather than a reader's own message. */
export function isEngineError(err: unknown): boolean {
  return ENGINE_ERROR_TYPES.some((T) => err instanceof T);
}

/** One line describing why reading failed; engine errors are replaced by a description of the file's fault. */
export function readerErrorMessage(err: unknown): string {
  return isEngineError(err) ? `corrupt or unsupported file: ${describeCause(err)}` : describeCause(err);
}

/**
 * The cause alone, for messages that embed it ("JPEG frame could not be decoded (…)"): a reader's
 * own message as one line, an engine error (a library or WebAssembly decoder failing on corrupt data)
 * as what it says about the file.
 */
export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return oneLine(typeof err === 'number' ? `native error code ${err}` : String(err));
  if (!isEngineError(err)) return oneLine(err.message);
  const hit = ENGINE_ERRORS.find(([re]) => re.test(err.message));
  return hit ? hit[1] : 'its structure is inconsistent';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
