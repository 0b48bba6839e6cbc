/**
 * The CSV and JSON exports, read back with a real CSV parser: one row per rehearsal and dimension,
 * the tutor's level beside the scorer's once reviewed, the unit's criteria codes, and no cell a
 * spreadsheet would run as a formula.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { loadLibrary, type Library } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { type CSV_COLUMNS, rehearsalsCsv, rehearsalsJson } from '../review/rehearsal-exports.ts';
import { evidenceRecord, reportWithLevels } from './store-conformance.ts';

let library: Library;
beforeAll(async () => {
  library = await loadLibrary();
});

const scored = (id: string, learner: EvidenceRecord['learner'], levels: Record<string, number | null>): EvidenceRecord =>
  evidenceRecord({
    id,
    learner,
    scenario: { id: 'faulty-washing-machine', title: 'Leaking washing machine' },
    report: { ...reportWithLevels(levels), scenario: 'faulty-washing-machine' },
  });

const review: TutorReview = {
  id: 'review-1',
  recordId: 'r1',
  reviewer: { id: 'ann@example.org', name: 'Ann Tutor' },
  at: '2026-11-24T09:00:00Z',
  dimensions: { listening: { level: 3, reason: 'Named the worry about the floor.' } },
  comments: [],
  feedback: 'Well done.',
  verdict: 'meets-standard',
};

describe('the CSV export', () => {
  it('has a row per rehearsal and dimension, with the tutor level once reviewed and the unit criteria', () => {
    const records = [
      scored('r1', { id: 'l1', name: 'Priya Shah' }, { listening: 2, questioning: 1 }),
      scored('r2', { id: 'l2' }, { listening: 0, questioning: null }),
    ];
    const csv = rehearsalsCsv(records, new Map([['r1', review]]), library, { cohortNamesOf: () => ['CS17 Tuesday'], unit: 'CS17' });
    // Excel reads UTF-8 only after a byte order mark.
    expect(csv.startsWith('\uFEFFrecord_id,')).toBe(true);
    const rows = parse(csv, { columns: true, bom: true }) as Array<Record<(typeof CSV_COLUMNS)[number], string>>;
    expect(rows.map((r) => [r.record_id, r.dimension, r.scorer_level, r.tutor_level, r.verdict])).toEqual([
      ['r1', 'listening', '2', '3', 'meets-standard'],
      ['r1', 'questioning', '1', '1', 'meets-standard'],
      ['r2', 'listening', '0', '', ''],
      ['r2', 'questioning', '', '', ''],
    ]);
    expect(rows[0]).toMatchObject({ learner_name: 'Priya Shah', cohort: 'CS17 Tuesday', reviewed_by: 'Ann Tutor', mode: 'practice' });
    // Listening cites CS17 1.2, 1.3 and 2.1 (rubrics/dimensions.yaml); only CS17's codes, without the unit.
    expect(rows[0]!.criteria).toBe('1.2 1.3 2.1');
    const everyUnit = parse(rehearsalsCsv(records, new Map(), library, { cohortNamesOf: () => [] }), {
      columns: true,
      bom: true,
    }) as Array<{
      criteria: string;
    }>;
    expect(everyUnit[0]!.criteria).toContain('CS17 1.2');
    expect(everyUnit[0]!.criteria).toContain('RCSP-L2 1.1');
  });

  it('never writes a cell a spreadsheet would run as a formula', () => {
    const records = [scored('r1', { id: '=1+1', name: '=HYPERLINK("http://evil.example","click")' }, { listening: 2 })];
    const [row] = parse(rehearsalsCsv(records, new Map(), library, { cohortNamesOf: () => ['@SUM(A1)', '-2'] }), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(row!.learner_name).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(row!.learner_id).toBe("'=1+1");
    expect(row!.cohort).toBe("'@SUM(A1); -2");
  });
});

describe('the JSON export', () => {
  it('keeps each record as stored, with all its reviews', () => {
    const record = scored('r1', { id: 'l1' }, { listening: 2 });
    const json = JSON.parse(
      rehearsalsJson([record], new Map([['r1', [review]]]), { exportedAt: '2026-11-30T00:00:00Z', scope: 'all' }),
    ) as {
      count: number;
      rehearsals: Array<{ record: EvidenceRecord; reviews: TutorReview[] }>;
    };
    expect(json.count).toBe(1);
    expect(json.rehearsals[0]).toEqual({ record, reviews: [review] });
  });
});
