/**
 * The scorer's calibration against tutors (engine/calibration.ts): per dimension and overall, how
 * often the current review changed the scorer's level, and the bench's agreement figures between
 * the scorer's level and the tutor's; unreviewed records left out.
 */
import { describe, expect, it } from 'vitest';
import { agreement } from '../engine/agreement-metrics.ts';
import { calibrationOf } from '../engine/calibration.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { evidenceRecord, reportWithLevels } from './store-conformance.ts';

const library = await loadLibrary();

function scored(id: string, levels: Record<string, number | null>): EvidenceRecord {
  const report = reportWithLevels(levels);
  return evidenceRecord({ id, report });
}

function review(record: EvidenceRecord, dimensions: Record<string, number> = {}): TutorReview {
  return {
    id: `review-${record.id}`,
    recordId: record.id,
    reviewer: { id: 'tutor-1' },
    at: '2026-11-28T09:00:00.000Z',
    dimensions: Object.fromEntries(Object.entries(dimensions).map(([id, level]) => [id, { level, reason: 'Because.' }])),
    comments: [],
    feedback: 'Feedback.',
    verdict: 'meets-standard',
  };
}

const lowered = scored('r1', { questioning: 2, listening: 3 });
const agreed = scored('r2', { questioning: 1, listening: 1 });
const unreviewed = scored('r3', { questioning: 0, listening: 0 });
const sameAsScorer = scored('r4', { questioning: 2, listening: 2 });
const fromNoOccasion = scored('r5', { reporting: null, listening: 0 });
const records = [lowered, agreed, unreviewed, sameAsScorer, fromNoOccasion];
const reviews = new Map([
  [lowered.id, review(lowered, { listening: 1 })],
  [agreed.id, review(agreed)],
  // Setting the scorer's own level is agreement, not a change.
  [sameAsScorer.id, review(sameAsScorer, { listening: 2 })],
  // The scorer saw no occasion for reporting; the tutor did.
  [fromNoOccasion.id, review(fromNoOccasion, { reporting: 2, listening: 3 })],
]);
const calibration = calibrationOf(records, reviews, library);
const row = (id: string) => calibration.rows.find((r) => r.dimension.id === id)!;

describe('calibrationOf', () => {
  it('counts reviewed records only, and those with a level changed', () => {
    expect(calibration.reviewedRecords).toBe(4);
    expect(calibration.recordsChanged).toBe(2);
  });

  it('gives rows in the library’s order, with the dimensions’ names', () => {
    expect(calibration.rows.map((r) => r.dimension)).toEqual([
      { id: 'listening', name: 'Listening and understanding' },
      { id: 'questioning', name: 'Questioning and checking understanding' },
      { id: 'reporting', name: 'Reporting and preventing repeat problems' },
    ]);
  });

  it('counts a change where the tutor’s level differs from the scorer’s, and pairs them for the bench’s figures', () => {
    // Listening: [tutor, scorer] = [1, 3], [1, 1], [2, 2], [3, 0].
    expect(row('listening')).toMatchObject({ reviewed: 4, changed: 2, changedRate: 0.5 });
    expect(row('listening').agreement).toEqual(
      agreement([
        [1, 3],
        [1, 1],
        [2, 2],
        [3, 0],
      ]),
    );
    expect(row('listening').agreement).toMatchObject({ pairs: 4, exact: 0.5, adjacent: 0.5 });
    expect(row('questioning')).toMatchObject({ reviewed: 3, changed: 0, changedRate: 0, agreement: { pairs: 3, exact: 1, adjacent: 1 } });
  });

  it('counts a level set where the scorer saw no occasion as a change that cannot be paired', () => {
    expect(row('reporting')).toMatchObject({ reviewed: 1, changed: 1, changedRate: 1, agreement: { pairs: 0 } });
    expect(row('reporting').agreement.exact).toBeNaN();
  });

  it('adds every dimension together overall', () => {
    expect(calibration.overall).toMatchObject({ reviewed: 8, changed: 3, changedRate: 3 / 8 });
    expect(calibration.overall.agreement).toEqual(
      agreement([
        [1, 3],
        [1, 1],
        [2, 2],
        [3, 0],
        [2, 2],
        [1, 1],
        [2, 2],
      ]),
    );
  });

  it('has no rows and no rates before any review', () => {
    const none = calibrationOf([unreviewed], new Map(), library);
    expect(none).toMatchObject({ reviewedRecords: 0, recordsChanged: 0, rows: [] });
    expect(none.overall.changedRate).toBeNaN();
  });
});
