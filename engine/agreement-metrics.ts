/**
 * Agreement between the scorer and a tutor's hand levels, the measures an assessment team uses:
 * exact agreement, exact-or-adjacent agreement, and quadratic weighted kappa (Cohen, 1968), which
 * discounts agreement expected by chance and counts a two-level miss as worse than a one-level one.
 */
export interface Agreement {
  pairs: number;
  exact: number;
  adjacent: number;
  /** NaN when there are no pairs or when both raters used a single level throughout. */
  kappa: number;
}

export function agreement(pairs: ReadonlyArray<readonly [number, number]>, levels = 4): Agreement {
  const n = pairs.length;
  if (n === 0) return { pairs: 0, exact: NaN, adjacent: NaN, kappa: NaN };
  const exact = pairs.filter(([a, b]) => a === b).length / n;
  const adjacent = pairs.filter(([a, b]) => Math.abs(a - b) <= 1).length / n;
  const observed = Array.from({ length: levels }, () => new Array<number>(levels).fill(0));
  const rowTotals = new Array<number>(levels).fill(0);
  const colTotals = new Array<number>(levels).fill(0);
  for (const [a, b] of pairs) {
    observed[a]![b]! += 1;
    rowTotals[a]! += 1;
    colTotals[b]! += 1;
  }
  let disagreeObserved = 0;
  let disagreeExpected = 0;
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < levels; j++) {
      const weight = ((i - j) * (i - j)) / ((levels - 1) * (levels - 1));
      disagreeObserved += weight * observed[i]![j]!;
      disagreeExpected += (weight * rowTotals[i]! * colTotals[j]!) / n;
    }
  }
  const kappa = disagreeExpected === 0 ? NaN : 1 - disagreeObserved / disagreeExpected;
  return { pairs: n, exact, adjacent, kappa };
}

export interface Detection {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** Precision and recall of found items against labelled ones, matched by key (e.g. "file#turn"). */
export function detection(found: ReadonlySet<string>, labelled: ReadonlySet<string>): Detection {
  const truePositives = [...found].filter((k) => labelled.has(k)).length;
  const falsePositives = found.size - truePositives;
  const falseNegatives = [...labelled].filter((k) => !found.has(k)).length;
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: found.size === 0 ? (labelled.size === 0 ? 1 : 0) : truePositives / found.size,
    recall: labelled.size === 0 ? 1 : truePositives / labelled.size,
  };
}
