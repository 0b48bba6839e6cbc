/** The inbox's score flags at the edges of their rules, written out by hand. */
import { describe, expect, it } from 'vitest';
import { scoreFlagsOf } from '../engine/score-flags.ts';
import { reportWith } from './store-conformance.ts';

describe('score flags', () => {
  it.each([
    [[0, 0, 1], 0, ['very-low']],
    [[1], 0, []],
    [[0, 2], 0, []],
    [[0, 0, 3], 0, []],
    [[3, 3], 0, ['very-high']],
    [[3, 3], 1, ['authority-breach']],
    [[3, null], 0, ['very-high']],
    [[0, 0], 1, ['authority-breach', 'very-low']],
    [[null, null], 0, []],
    [[null], 1, ['authority-breach']],
  ] as const)('levels %j with %i breaches: %j', (levels, breaches, flags) => {
    expect(scoreFlagsOf(reportWith(levels, breaches))).toEqual(flags);
  });
});
