/**
 * What became of one fuzzed input, judged from its CLI child process. The contract (issue 10):
 * every input ends in success or a one-line error within the time and memory limits, with no
 * stack trace and no raw JavaScript message.
 */
export const OUTCOME_CLASSES = ['success', 'clean-error', 'raw-error', 'crash', 'hang', 'memory'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];
/** Classes that break the contract: the fuzzer keeps these inputs and the test fails on them. */
export const FAILURE_CLASSES: readonly OutcomeClass[] = ['raw-error', 'crash', 'hang', 'memory'];

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Killed by the harness for running past the time limit. */
  timedOut: boolean;
  /** Killed by the harness for a resident set above the memory limit. */
  overMemory: boolean;
}

/**
 * Engine messages that only a JavaScript bug produces (a reader trusting a header field, an
 * unchecked allocation...); a user should get "file X: what is wrong with it" instead.
 */
const RAW_JS_MESSAGES = [
  /Cannot (read|set) propert(y|ies) of/,
  /is not a function|is not iterable|is not a constructor|is not defined/,
  /Invalid (typed array|array|string) length|Invalid code point|Invalid time value|Invalid DataView/,
  /Maximum call stack size exceeded/,
  /Offset is outside the bounds of the DataView|is outside the bounds of the buffer|outside buffer bounds/,
  /Array buffer allocation failed|Cannot create a string longer than/,
  /\b(TypeError|RangeError|ReferenceError|SyntaxError|InternalError)\b/,
  /\[ERR_[A-Z_]+\]|\bERR_[A-Z_]{4,}\b/,
  /Unexpected token|Unexpected end of JSON input/,
  /\bundefined\b|\[object Object\]/,
];

const NODE_NOISE = /^\(node:\d+\) |^\(Use `node --trace-/;

export function classifyOutcome(r: ChildResult): { cls: OutcomeClass; why: string } {
  if (r.overMemory) return { cls: 'memory', why: 'resident memory above the limit' };
  if (r.timedOut) return { cls: 'hang', why: 'still running at the time limit' };
  if (/JavaScript heap out of memory|Reached heap limit/.test(r.stderr)) return { cls: 'memory', why: 'V8 heap out of memory' };
  if (r.signal) return { cls: 'crash', why: `killed by ${r.signal}` };
  if (r.code === 0) return { cls: 'success', why: '' };
  if (r.code === null || r.code >= 128) return { cls: 'crash', why: `exit code ${r.code}` };
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !NODE_NOISE.test(l));
  if (lines.length === 0) return { cls: 'raw-error', why: `exit code ${r.code} with no message` };
  if (lines.length > 1) return { cls: 'raw-error', why: /^\s+at /m.test(r.stderr) ? 'stack trace' : `${lines.length}-line error` };
  const raw = RAW_JS_MESSAGES.find((re) => re.test(lines[0]));
  if (raw) return { cls: 'raw-error', why: `raw JS message (${raw.source.slice(0, 40)})` };
  if (!lines[0].startsWith('med3d: ')) return { cls: 'raw-error', why: 'not a med3d error line' };
  return { cls: 'clean-error', why: '' };
}
