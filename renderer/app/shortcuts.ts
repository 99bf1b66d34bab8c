/**
 * Keyboard shortcuts, close to 3D Slicer's Segment Editor and slice viewers:
 * Ctrl+Z / Ctrl+Y (also z / y) undo/redo, 1 paint, 2 erase, 3 fill, Escape back to navigation,
 * Shift+wheel or [ ] brush size, arrows / PageUp / PageDown / b / f change slice, r resets the
 * view. Window presets are Shift+1..5 (lung, mediastinum, abdomen, bone, brain).
 */
export type ShortcutCommand =
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'save' }
  | { kind: 'tool'; tool: 'brush' | 'eraser' | 'fill' | 'windowLevel' | 'crosshairs' }
  | { kind: 'preset'; index: number }
  | { kind: 'slice'; delta: number }
  | { kind: 'brushSize'; factor: number }
  | { kind: 'resetView' }
  | { kind: 'toggleOutline' }
  | { kind: 'toggleLabels' }
  | { kind: 'case'; direction: 'next' | 'previous' };

export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function shortcutFor(e: KeyLike): ShortcutCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (mod) {
    if (k === 'z') return e.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (k === 'y') return { kind: 'redo' };
    if (k === 's') return { kind: 'save' };
    return null;
  }
  if (e.altKey) return null;
  const digit = /^Digit([1-9])$/.exec(e.code);
  if (digit && e.shiftKey) {
    const n = Number(digit[1]);
    return n <= 5 ? { kind: 'preset', index: n - 1 } : null;
  }
  if (e.shiftKey && k === 'n') return { kind: 'case', direction: 'previous' };
  switch (k) {
    case 'z':
      return { kind: 'undo' };
    case 'y':
      return { kind: 'redo' };
    case '1':
      return { kind: 'tool', tool: 'brush' };
    case '2':
      return { kind: 'tool', tool: 'eraser' };
    case '3':
      return { kind: 'tool', tool: 'fill' };
    case 'c':
      return { kind: 'tool', tool: 'crosshairs' };
    case 'escape':
      return { kind: 'tool', tool: 'windowLevel' };
    case 'arrowup':
    case 'pageup':
    case 'f':
      return { kind: 'slice', delta: 1 };
    case 'arrowdown':
    case 'pagedown':
    case 'b':
      return { kind: 'slice', delta: -1 };
    case ']':
      return { kind: 'brushSize', factor: 1.25 };
    case '[':
      return { kind: 'brushSize', factor: 0.8 };
    case 'r':
      return { kind: 'resetView' };
    case 'o':
      return { kind: 'toggleOutline' };
    case 'v':
      return { kind: 'toggleLabels' };
    case 'n':
      return { kind: 'case', direction: 'next' };
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
