/**
 * Job curves (name → [step, value] pairs, each on its own steps, e.g. loss every step and
 * validation Dice every epoch) → uPlot's aligned table: one sorted x column and one column per
 * curve with null where a curve has no point at that step.
 */
export function alignCurves(curves: Record<string, Array<[number, number]>>): { names: string[]; table: Array<Array<number | null>> } {
  const names = Object.keys(curves).filter((n) => curves[n].length > 0);
  const xs = [...new Set(names.flatMap((n) => curves[n].map((p) => p[0])))].sort((a, b) => a - b);
  const pos = new Map(xs.map((x, i) => [x, i]));
  const cols = names.map((n) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    for (const [x, y] of curves[n]) col[pos.get(x)!] = Number.isFinite(y) ? y : null;
    return col;
  });
  return { names, table: [xs, ...cols] };
}
