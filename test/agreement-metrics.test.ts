import { describe, expect, it } from 'vitest';
import { agreement, detection } from '../engine/agreement-metrics.ts';

describe('agreement between scorer and tutor', () => {
  it('is perfect when every level matches', () => {
    expect(
      agreement([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ).toEqual({ pairs: 4, exact: 1, adjacent: 1, kappa: 1 });
  });

  it('computes quadratic weighted kappa as published (a worked example)', () => {
    // Rater A: 0,1,2,3,3 ; rater B: 0,2,2,3,1. Weights (i−j)²/9. Observed disagreement
    // (1 + 4)/9 = 5/9; expected Σ rᵢcⱼ(i−j)²/(9·5) = 61/45; kappa = 1 − (5/9)/(61/45) = 1 − 25/61.
    const result = agreement([
      [0, 0],
      [1, 2],
      [2, 2],
      [3, 3],
      [3, 1],
    ]);
    expect(result.exact).toBeCloseTo(0.6);
    expect(result.adjacent).toBeCloseTo(0.8);
    expect(result.kappa).toBeCloseTo(1 - 25 / 61, 10);
  });

  it('is negative when raters systematically disagree', () => {
    expect(
      agreement([
        [0, 3],
        [3, 0],
        [1, 2],
        [2, 1],
      ]).kappa,
    ).toBeLessThan(0);
  });

  it('gives precision and recall of detections', () => {
    expect(detection(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd', 'e']))).toEqual({
      truePositives: 2,
      falsePositives: 1,
      falseNegatives: 2,
      precision: 2 / 3,
      recall: 0.5,
    });
  });
});
