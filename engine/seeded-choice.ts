/**
 * Deterministic variety: the same seed and turn always give the same choice, so rehearsals can be
 * replayed and tested, yet wording varies from turn to turn and scenario to scenario.
 */
export function seededIndex(seed: string, length: number): number {
  // FNV-1a: a small, well-known string hash with good spread for short keys.
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % Math.max(1, length);
}

/** Picks one line, never the one said last. */
export function pickLine(lines: readonly string[], seed: string, last: readonly string[]): string {
  const fresh = lines.filter((l) => !last.includes(l));
  // When every wording was used lately, still never repeat the very last one.
  const notLast = lines.filter((l) => l !== last.at(-1));
  const pool = fresh.length > 0 ? fresh : notLast.length > 0 ? notLast : lines;
  return pool[seededIndex(seed, pool.length)]!;
}
