/**
 * A cohort's analytics (engine/cohort-analytics.ts) from records and current reviews: levels per
 * dimension over latest attempts, each learner's weakest dimension (ties named), progress over
 * attempts in end-time order, and the scenarios most often failed by the documented rule.
 */
import { describe, expect, it } from 'vitest';
import { cohortAnalyticsOf, failureOf } from '../engine/cohort-analytics.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview, Verdict } from '../engine/tutor-review.ts';
import { evidenceRecord, reportWithLevels } from './store-conformance.ts';

const library = await loadLibrary();

const SCENARIOS = {
  washer: { id: 'faulty-washing-machine', title: 'Faulty washing machine' },
  gym: { id: 'gym-cancellation-fee', title: 'Gym cancellation fee' },
};

function scored(
  id: string,
  learner: string,
  scenario: keyof typeof SCENARIOS,
  day: number,
  levels: Record<string, number | null>,
  breaches = 0,
): EvidenceRecord {
  const report = reportWithLevels(levels, breaches);
  return evidenceRecord({
    id,
    learner: { id: `tenant/${learner}`, name: learner },
    scenario: SCENARIOS[scenario],
    endedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    report,
  });
}

function review(record: EvidenceRecord, verdict: Verdict, dimensions: TutorReview['dimensions'] = {}): TutorReview {
  return {
    id: `review-${record.id}`,
    recordId: record.id,
    reviewer: { id: 'tutor-1' },
    at: '2026-11-28T09:00:00.000Z',
    dimensions,
    comments: [],
    feedback: 'Feedback.',
    verdict,
  };
}

// Given out of order on purpose: everything is ordered by end time.
const amyWasher2 = scored('amy-3', 'Amy', 'washer', 3, { questioning: 3, listening: 2 });
const amyGym = scored('amy-2', 'Amy', 'gym', 2, { questioning: null, listening: 1 }, 1);
const amyWasher1 = scored('amy-1', 'Amy', 'washer', 1, { questioning: 1, listening: 0 });
const benWasher = scored('ben-1', 'Ben', 'washer', 1, { questioning: 3, listening: 3 });
const cyWasher = scored('cy-1', 'Cy', 'washer', 4, { questioning: 2, listening: 2, 'retired-dimension': 1 });
const records = [amyWasher2, amyGym, amyWasher1, benWasher, cyWasher];
const reviews = new Map([
  [amyWasher2.id, review(amyWasher2, 'meets-standard')],
  // The tutor lowered Ben's listening from 3 to 1 and asked for another attempt.
  [benWasher.id, review(benWasher, 'needs-another-attempt', { listening: { level: 1, reason: 'Generic empathy only.' } })],
]);
const analytics = cohortAnalyticsOf(records, reviews, library);

describe('cohortAnalyticsOf', () => {
  it('names the dimensions scored, in the library’s order, then any the library no longer has', () => {
    expect(analytics.dimensions).toEqual([
      { id: 'listening', name: 'Listening and understanding' },
      { id: 'questioning', name: 'Questioning and checking understanding' },
      { id: 'retired-dimension', name: 'retired-dimension' },
    ]);
    expect(analytics.levelNames).toEqual(['Not shown', 'Emerging', 'Competent', 'Strong']);
    expect(analytics).toMatchObject({ rehearsals: 5, learners: 3, latestAttempts: 4 });
  });

  it('spreads levels after review over each learner’s latest attempt at each scenario', () => {
    const byId = Object.fromEntries(analytics.distribution.map((d) => [d.dimension.id, d]));
    // Latest: Amy washer day 3 (listening 2), Amy gym (1), Ben (3 lowered to 1 by the tutor), Cy (2).
    expect(byId.listening).toMatchObject({ counts: [0, 2, 2, 0], noOccasion: 0 });
    // Amy's first washer attempt (questioning 1) is superseded; her gym attempt had no occasion.
    expect(byId.questioning).toMatchObject({ counts: [0, 0, 1, 2], noOccasion: 1 });
    expect(byId['retired-dimension']).toMatchObject({ counts: [0, 1, 0, 0] });
  });

  it('names each learner’s weakest dimension by lowest mean, all of them on a tie', () => {
    const byLearner = Object.fromEntries(analytics.weakest.map((w) => [w.learner.name, w]));
    // Amy: listening (2 + 1) / 2 = 1.5; questioning 3 (gym had no occasion).
    expect(byLearner.Amy).toMatchObject({
      means: { listening: 1.5, questioning: 3, 'retired-dimension': null },
      weakest: ['listening'],
      lowestMean: 1.5,
    });
    expect(byLearner.Ben).toMatchObject({ weakest: ['listening'], lowestMean: 1 });
    // Cy: retired 1 is lowest; listening and questioning tie at 2 above it.
    expect(byLearner.Cy).toMatchObject({ weakest: ['retired-dimension'], lowestMean: 1 });
    const tie = cohortAnalyticsOf([scored('dee-1', 'Dee', 'washer', 5, { questioning: 2, listening: 2 })], new Map(), library);
    expect(tie.weakest[0]).toMatchObject({ weakest: ['listening', 'questioning'], lowestMean: 2 });
  });

  it('follows each learner over every attempt in end-time order, leaving out a dimension with no occasion', () => {
    const amy = analytics.progress.find((p) => p.learner.name === 'Amy')!;
    expect(amy.attempts).toBe(3);
    const points = Object.fromEntries(amy.dimensions.map((d) => [d.dimension.id, d.points.map((p) => [p.attempt, p.level, p.recordId])]));
    expect(points.listening).toEqual([
      [1, 0, 'amy-1'],
      [2, 1, 'amy-2'],
      [3, 2, 'amy-3'],
    ]);
    expect(points.questioning).toEqual([
      [1, 1, 'amy-1'],
      [3, 3, 'amy-3'],
    ]);
    const cohortListening = analytics.cohortProgress.find((c) => c.dimension.id === 'listening')!;
    // First attempts: Amy 0, Ben 1 (the tutor's), Cy 2.
    expect(cohortListening.points).toEqual([
      { attempt: 1, mean: 1, learners: 3 },
      { attempt: 2, mean: 1, learners: 1 },
      { attempt: 3, mean: 2, learners: 1 },
    ]);
  });

  it('counts failed attempts per scenario, most failed first, by the tutor’s verdict or else the scorer’s report', () => {
    expect(analytics.failures).toEqual([
      // Amy's first (mean 0.5) and Ben's (the tutor's verdict); Amy's second passed by review; Cy's mean is 5/3.
      { scenario: SCENARIOS.washer, attempts: 4, failed: 2, learnersFailing: 2, failedByTutor: 1 },
      // Amy's gym attempt promised beyond her authority.
      { scenario: SCENARIOS.gym, attempts: 1, failed: 1, learnersFailing: 1, failedByTutor: 0 },
    ]);
  });

  it('gives empty analytics for a cohort with no rehearsals', () => {
    const empty = cohortAnalyticsOf([], new Map(), library);
    expect(empty).toMatchObject({ rehearsals: 0, learners: 0, dimensions: [], distribution: [], weakest: [], failures: [] });
  });
});

describe('failureOf', () => {
  it('takes a signed verdict over anything the scorer found', () => {
    const breached = scored('x', 'Amy', 'gym', 1, { listening: 0 }, 2);
    expect(failureOf(breached, undefined)).toBe('breach');
    expect(failureOf(breached, review(breached, 'meets-standard'))).toBeUndefined();
    expect(failureOf(scored('y', 'Amy', 'gym', 1, { listening: 3 }), review(breached, 'needs-another-attempt'))).toBe('tutor');
  });

  it('fails an unreviewed rehearsal whose levels average below 1.5, and not one at 1.5 or with no levels', () => {
    expect(failureOf(scored('a', 'Amy', 'gym', 1, { listening: 1, questioning: 1, defusing: 2 }), undefined)).toBe('low-levels');
    expect(failureOf(scored('b', 'Amy', 'gym', 1, { listening: 1, questioning: 2, defusing: null }), undefined)).toBeUndefined();
    expect(failureOf(scored('c', 'Amy', 'gym', 1, { listening: null }), undefined)).toBeUndefined();
  });
});
