/** Checks over time intervals read from run records: overlaps, and the most running at one instant. */

export interface Interval {
  id: string;
  start: number;
  end: number;
}

/** The most intervals open at one instant; one ending when another starts does not overlap it. */
export function mostAtOnce(intervals: readonly Interval[]): { most: number; at: number; ids: string[] } {
  const edges = intervals.flatMap((i) => [
    { at: i.start, delta: 1, id: i.id },
    { at: i.end, delta: -1, id: i.id },
  ]);
  // Ends before starts at the same instant.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Set<string>();
  let best = { most: 0, at: 0, ids: [] as string[] };
  for (const e of edges) {
    if (e.delta > 0) open.add(e.id);
    else open.delete(e.id);
    if (open.size > best.most) best = { most: open.size, at: e.at, ids: [...open] };
  }
  return best;
}

/** Pairs of intervals that overlap (one ending exactly when the next starts is no overlap). */
export function overlapping(intervals: readonly Interval[]): [Interval, Interval][] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const pairs: [Interval, Interval][] = [];
  let latest: Interval | undefined; // of those before, the one ending last
  for (const interval of sorted) {
    if (latest && latest.end > interval.start) pairs.push([latest, interval]);
    if (!latest || interval.end > latest.end) latest = interval;
  }
  return pairs;
}
