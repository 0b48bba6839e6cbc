/**
 * The few figures the HTTP benchmarks report turn latencies with: nearest-rank percentiles, a median
 * and rounding. One definition, so `bench:load` and `bench:stalled` mean the same thing by "p50".
 */

/** Rounded to `digits` decimals, as a number, so JSON reports carry no float noise. */
export function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}

/** Nearest rank over values sorted ascending: always a latency that was measured, never an interpolation. NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The 50th percentile of values in any order (they are copied, not sorted in place). */
export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
