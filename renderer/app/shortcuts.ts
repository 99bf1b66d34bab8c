import type { Invocation } from './commands';

/**
 * Keyboard shortcuts, close to 3D Slicer's Segment Editor and slice viewers:
 * Ctrl+Z / Ctrl+Y (also z / y) undo/redo, 1 paint, 2 erase, 3 fill, Escape back to navigation,
 * Shift+wheel or [ ] brush size, arrows / PageUp / PageDown / b / f change slice, r resets the
 * view. Window presets are Shift+1..5 (lung, mediastinum, abdomen, bone, brain).
 */
export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The command a key asks for (an entry of the one command table), or null. */
export function shortcutFor(e: KeyLike): Invocation | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (mod) {
    if (k === 'z') return e.shiftKey ? { command: 'redo' } : { command: 'undo' };
    if (k === 'y') return { command: 'redo' };
    if (k === 's') return { command: 'save' };
    return null;
  }
  if (e.altKey) return null;
  const digit = /^Digit([1-9])$/.exec(e.code);
  if (digit && e.shiftKey) {
    const n = Number(digit[1]);
    return n <= 5 ? { command: 'preset', index: n - 1 } : null;
  }
  if (e.shiftKey && k === 'n') return { command: 'previous-case' };
  switch (k) {
    case 'z':
      return { command: 'undo' };
    case 'y':
      return { command: 'redo' };
    case '1':
      return { command: 'tool', tool: 'brush' };
    case '2':
      return { command: 'tool', tool: 'eraser' };
    case '3':
      return { command: 'tool', tool: 'fill' };
    case 'c':
      return { command: 'tool', tool: 'crosshairs' };
    case 'escape':
      return { command: 'tool', tool: 'windowLevel' };
    case 'arrowup':
    case 'pageup':
    case 'f':
      return { command: 'slice', delta: 1 };
    case 'arrowdown':
    case 'pagedown':
    case 'b':
      return { command: 'slice', delta: -1 };
    case ']':
      return { command: 'brush-size', factor: 1.25 };
    case '[':
      return { command: 'brush-size', factor: 0.8 };
    case 'r':
      return { command: 'reset-view' };
    case 'o':
      return { command: 'toggle-outline' };
    case 'v':
      return { command: 'toggle-labels' };
    case 'n':
      return { command: 'next-case' };
    default:
      return null;
  }
}

/** True when the key event comes from a text field (shortcuts must not steal typing). */
export function isTypingTarget(t: EventTarget | null): boolean {
  const el = t as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button'].includes(el.type ?? 'text');
}
