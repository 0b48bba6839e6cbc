/**
 * The hand-labelled set is the yardstick for the scorer: it must be large and well-formed, and the
 * scorer must keep agreeing with it at least as well as when these floors were set (the figures
 * themselves are in the README, from `npm run bench`).
 */
import { describe, expect, it } from 'vitest';
import { agreement, detection } from '../engine/agreement-metrics.ts';
import { readLabelledSet } from '../cli/labelled-set.ts';
import { ACTION_KINDS } from '../engine/scenario-schema.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { scoreTranscript } from '../engine/rules-scorer.ts';

const library = await loadLibrary();
const labelled = readLabelledSet();

describe('the labelled transcript set', () => {
  it('has at least 40 transcripts across at least 5 scenarios', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(40);
    expect(new Set(labelled.map((l) => l.scenario)).size).toBeGreaterThanOrEqual(5);
  });

  it('labels exactly the dimensions of each scenario, and breaches at learner turns with real actions', () => {
    for (const item of labelled) {
      const scenario = library.scenarios.find((s) => s.id === item.scenario);
      expect(scenario, item.file).toBeDefined();
      expect(Object.keys(item.labels.dimensions).sort(), item.file).toEqual([...scenario!.dimensions].sort());
      for (const breach of item.labels.breaches) {
        expect(item.turns[breach.turn - 1]?.role, `${item.file} turn ${breach.turn}`).toBe('learner');
        expect(ACTION_KINDS).toContain(breach.action);
        expect(item.labels.dimensions.authority, item.file).toBe(0);
      }
    }
  });

  it('uses every level of every dimension somewhere', () => {
    for (const id of ['listening', 'questioning', 'negotiation', 'authority', 'informing']) {
      const levels = new Set(labelled.map((l) => l.labels.dimensions[id]).filter((v) => v !== undefined && v !== null));
      expect([...levels].sort(), id).toEqual([0, 1, 2, 3]);
    }
  });
});

describe('the scorer against the labelled set (regression floors)', () => {
  const pairs: Array<[number, number]> = [];
  const found = new Set<string>();
  const expected = new Set<string>();
  for (const item of labelled) {
    const report = scoreTranscript(
      library.scenarios.find((s) => s.id === item.scenario)!,
      item.turns,
    );
    for (const [id, label] of Object.entries(item.labels.dimensions)) {
      const level = report.dimensions[id]?.level;
      if (label !== null && level !== null && level !== undefined) pairs.push([label, level]);
    }
    report.breaches.forEach((b) => found.add(`${item.file}#${b.turn}`));
    item.labels.breaches.forEach((b) => expected.add(`${item.file}#${b.turn}`));
  }

  // Floors just under the figures for all 384 when they were set (rules-scorer 2026.11.30.15: within
  // one level 0.93, kappa 0.742; breaches recall 0.57, precision 0.93): the scorer is deterministic,
  // so a drop is a regression. (The kappa and recall floors came down, from 0.75 and 0.68, when the
  // seventh to fifteenth batches, on fifty-four new sectors, joined: their breaches in new wording
  // are mostly missed. On the first 168, recall is 0.69, precision 0.96 and kappa 0.78.)
  it('agrees with the tutors within one level at least 91% of the time, with kappa of at least 0.74', () => {
    const result = agreement(pairs);
    expect(result.adjacent).toBeGreaterThanOrEqual(0.91);
    expect(result.kappa).toBeGreaterThanOrEqual(0.74);
  });

  it('finds at least 56% of labelled authority breaches, with at least 92% of its alarms right', () => {
    const result = detection(found, expected);
    expect(result.recall).toBeGreaterThanOrEqual(0.56);
    expect(result.precision).toBeGreaterThanOrEqual(0.92);
  });
});
