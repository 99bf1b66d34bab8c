import { describe, it, expect } from 'vitest';
import { classifyOutcome, type ChildResult } from './classifyOutcome';

const r = (o: Partial<ChildResult>): ChildResult => ({ code: 1, signal: null, stderr: '', timedOut: false, overMemory: false, ...o });

describe('classifyOutcome', () => {
  it.each([
    ['exit 0', r({ code: 0, stderr: 'warning: spacing missing' }), 'success'],
    ['one med3d line naming the file', r({ stderr: 'med3d: cannot read /x/a.nii: vox_offset 0 is inside the header\n' }), 'clean-error'],
    ['node warning lines are not part of the message', r({ stderr: '(node:12) Warning: x\n(Use `node --trace-warnings ...`)\nmed3d: cannot read a.dcm: truncated\n' }), 'clean-error'],
    ['a stack trace', r({ stderr: 'Error: boom\n    at f (x.ts:1:1)\n' }), 'raw-error'],
    ['a raw V8 message behind med3d:', r({ stderr: "med3d: Cannot read properties of undefined (reading 'length')\n" }), 'raw-error'],
    ['Invalid typed array length', r({ stderr: 'med3d: cannot read a.nii: Invalid typed array length: -4\n' }), 'raw-error'],
    ['a Node error code', r({ stderr: 'med3d: The value of "offset" is out of range. [ERR_OUT_OF_RANGE]\n' }), 'raw-error'],
    ['exit 1 without a message', r({}), 'raw-error'],
    ['heap exhausted', r({ code: 134, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n' }), 'memory'],
    ['killed over the RSS limit', r({ code: null, signal: 'SIGKILL', overMemory: true }), 'memory'],
    ['killed at the time limit', r({ code: null, signal: 'SIGKILL', timedOut: true }), 'hang'],
    ['segfault', r({ code: null, signal: 'SIGSEGV' }), 'crash'],
    ['abort exit code', r({ code: 134, stderr: 'free(): invalid pointer\n' }), 'crash'],
  ])('%s → %s', (_t, res, want) => {
    expect(classifyOutcome(res).cls).toBe(want);
  });
});
