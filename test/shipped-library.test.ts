/**
 * The scenario library that ships with ServiceSim: it must validate, and together its scenarios
 * must give learners every kind of problem the qualification units ask them to show.
 */
import { describe, expect, it } from 'vitest';
import { routeFor } from '../engine/authority-check.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { PROBLEM_TYPES } from '../engine/scenario-schema.ts';

const library = await loadLibrary();
const { scenarios } = library;

describe('the shipped rubric and scenarios', () => {
  it('validate with no problems', () => {
    expect(library.problems).toEqual([]);
  });

  it('has the rubric dimensions the units need, each with levels 0–3 and cited criteria text', () => {
    expect(library.dimensions.map((d) => d.id)).toEqual(
      expect.arrayContaining(['listening', 'questioning', 'negotiation', 'authority', 'unresolved', 'informing', 'defusing', 'reporting']),
    );
    for (const dimension of library.dimensions) {
      expect(dimension.levels.map((l) => l.level)).toEqual([0, 1, 2, 3]);
      expect(dimension.criteria.length).toBeGreaterThan(0);
      for (const criterion of dimension.criteria) expect(criterion.text.length).toBeGreaterThan(10);
    }
  });

  it('cites criteria from all five units', () => {
    const cited = new Set(library.dimensions.flatMap((d) => d.criteria.map((c) => c.unit)));
    expect([...cited].sort()).toEqual(library.units.map((u) => u.id).sort());
    expect(library.units).toHaveLength(5);
  });

  it('has at least ten scenarios covering every problem type', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
    const types = new Set(scenarios.map((s) => s.problemType));
    expect([...types].sort()).toEqual([...PROBLEM_TYPES].sort());
  });

  it('has at least three scenarios the learner cannot resolve', () => {
    expect(scenarios.filter((s) => !s.resolvable).length).toBeGreaterThanOrEqual(3);
  });

  it('has at least three angry or agitated customers and one confused customer', () => {
    const agitated = scenarios.filter((s) => s.customer.mood >= 3 || s.customer.traits.includes('agitated'));
    expect(agitated.length).toBeGreaterThanOrEqual(3);
    expect(scenarios.some((s) => s.customer.traits.includes('confused'))).toBe(true);
  });

  it('has at least two customers who ask for more than the learner may give', () => {
    const beyond = scenarios.filter((s) => {
      const ask = s.customer.asksFor;
      return ask !== undefined && routeFor(s.authority, ask.action, ask.amount).kind !== 'own';
    });
    expect(beyond.length).toBeGreaterThanOrEqual(2);
  });

  it('has a repeated problem: at least the third complaint about the same fault', () => {
    const repeated = scenarios.filter((s) => (s.repeatedProblem?.previousComplaints ?? 0) >= 2);
    expect(repeated.length).toBeGreaterThanOrEqual(1);
    for (const s of repeated) expect(s.dimensions).toContain('reporting');
  });
});
