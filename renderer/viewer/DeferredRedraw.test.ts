import { describe, it, expect, vi, afterEach } from 'vitest';
import { DeferredRedraw } from './DeferredRedraw';

afterEach(() => vi.useRealTimers());

/** A DeferredRedraw whose animation frames are run by hand (frame()). */
function setup(): { r: DeferredRedraw<string>; calls: string[][]; frame: () => void } {
  const calls: string[][] = [];
  let waiting: Array<() => void> = [];
  const r = new DeferredRedraw<string>((v) => calls.push(v), 120, (cb) => waiting.push(cb));
  const frame = (): void => {
    const run = waiting;
    waiting = [];
    run.forEach((cb) => cb());
  };
  return { r, calls, frame };
}

describe('DeferredRedraw', () => {
  it('redraws the views collected once the stroke pauses (the time, then a frame without a change), each once', () => {
    vi.useFakeTimers();
    const { r, calls, frame } = setup();
    r.add(['axial']);
    vi.advanceTimersByTime(100);
    r.add(['axial', 'sagittal']);
    vi.advanceTimersByTime(100);
    frame();
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(30);
    expect(calls).toEqual([]); // the pause waits for a frame
    frame();
    expect(calls).toEqual([['axial', 'sagittal']]);
    vi.advanceTimersByTime(1000);
    frame();
    expect(calls).toHaveLength(1);
  });

  it('a move that comes before the frame (slow frames, the drag goes on) keeps the redraw waiting', () => {
    vi.useFakeTimers();
    const { r, calls, frame } = setup();
    r.add(['axial']);
    vi.advanceTimersByTime(200); // a slow frame: the timer fired between two moves
    r.add(['axial']);
    frame();
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(120);
    frame();
    expect(calls).toEqual([['axial']]);
  });

  it('flush redraws at once; cancel forgets; nothing pending draws nothing', () => {
    vi.useFakeTimers();
    const { r, calls, frame } = setup();
    r.add([]);
    r.flush();
    expect(calls).toEqual([]);
    r.add(['coronal']);
    r.flush();
    expect(calls).toEqual([['coronal']]);
    vi.advanceTimersByTime(500);
    frame();
    r.add(['axial']);
    r.cancel();
    vi.advanceTimersByTime(500);
    frame();
    r.flush();
    expect(calls).toEqual([['coronal']]);
  });
});
