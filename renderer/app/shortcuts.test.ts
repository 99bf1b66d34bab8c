import { describe, it, expect } from 'vitest';
import { isTypingTarget, shortcutFor, type KeyLike } from './shortcuts';

const key = (key: string, o: Partial<KeyLike> = {}): KeyLike => ({ key, code: o.code ?? '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });

describe('shortcuts', () => {
  it.each([
    ['Ctrl+Z', key('z', { ctrlKey: true }), { command: 'undo' }],
    ['Ctrl+Shift+Z', key('Z', { ctrlKey: true, shiftKey: true }), { command: 'redo' }],
    ['Cmd+Y', key('y', { metaKey: true }), { command: 'redo' }],
    ['Ctrl+S', key('s', { ctrlKey: true }), { command: 'save' }],
    ['1 paint', key('1', { code: 'Digit1' }), { command: 'tool', tool: 'brush' }],
    ['Escape', key('Escape'), { command: 'tool', tool: 'windowLevel' }],
    ['Shift+1 lung preset', key('!', { code: 'Digit1', shiftKey: true }), { command: 'preset', index: 0 }],
    ['Shift+5 brain preset', key('%', { code: 'Digit5', shiftKey: true }), { command: 'preset', index: 4 }],
    ['PageDown', key('PageDown'), { command: 'slice', delta: -1 }],
    ['] bigger brush', key(']'), { command: 'brush-size', factor: 1.25 }],
    ['Shift+N previous case', key('N', { shiftKey: true }), { command: 'previous-case' }],
  ] as const)('%s', (_t, e, expected) => {
    expect(shortcutFor(e)).toEqual(expected);
  });

  it('ignores unbound keys and Alt combinations', () => {
    expect(shortcutFor(key('q'))).toBeNull();
    expect(shortcutFor(key('z', { altKey: true }))).toBeNull();
    expect(shortcutFor(key('!', { code: 'Digit9', shiftKey: true }))).toBeNull();
  });

  it('knows text fields from buttons', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget({ tagName: 'DIV' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
