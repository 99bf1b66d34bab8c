/**
 * Collects the views a brush stroke changed and redraws them together when the stroke pauses or
 * ends (flush): a full redraw of a view costs most of a frame or more with software WebGL, so it
 * is not done per mouse move (drawStrokePreview shows the moves meanwhile).
 * A pause is `pauseMs` without a change and then one more animation frame without one: while the
 * frames themselves are slow (the GPU busy), the timer alone would fire between two moves of a
 * drag, and the redraw it starts would slow the frames further. Mouse moves are delivered before
 * a frame's animation callbacks, so a drag that goes on adds its change before that frame.
 */
export class DeferredRedraw<V> {
  private readonly pending = new Set<V>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Counts add() calls: a pause is confirmed only if none came while waiting for the frame. */
  private changes = 0;

  constructor(
    private readonly redraw: (views: V[]) => void,
    private readonly pauseMs: number,
    private readonly nextFrame: (cb: () => void) => void = (cb) => requestAnimationFrame(cb),
  ) {}

  /** Adds views to redraw and restarts the pause timer. */
  add(views: Iterable<V>): void {
    for (const v of views) this.pending.add(v);
    this.changes++;
    this.stopTimer();
    if (this.pending.size === 0) return;
    const at = this.changes;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextFrame(() => {
        if (this.changes === at) this.flush();
      });
    }, this.pauseMs);
  }

  /** Redraws the pending views now (the stroke ended). */
  flush(): void {
    this.stopTimer();
    this.changes++;
    const views = [...this.pending];
    this.pending.clear();
    if (views.length > 0) this.redraw(views);
  }

  /** Forgets the pending views (the volume they belong to was replaced). */
  cancel(): void {
    this.stopTimer();
    this.changes++;
    this.pending.clear();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
