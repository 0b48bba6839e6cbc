/**
 * Rehearsals as the files a college's other systems take in: CSV, one row per rehearsal and
 * dimension (for a spreadsheet or a markbook), and JSON, the records as stored with every review.
 *
 * @remarks
 * A CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
 * formula by a spreadsheet: learners' names and tutors' words are typed by people, so such cells
 * are prefixed with an apostrophe (OWASP's advice on CSV injection).
 */
import { stringify } from 'csv-stringify/sync';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import { levelsAfterReview, type TutorReview } from '../engine/tutor-review.ts';
import { dimensionOrderOf } from './rehearsal-page-model.ts';

export const CSV_COLUMNS = [
  'record_id',
  'learner_id',
  'learner_name',
  'cohort',
  'scenario_id',
  'scenario_title',
  'ended_at',
  'mode',
  'dimension',
  'scorer_level',
  'tutor_level',
  'reviewed_by',
  'verdict',
  'criteria',
] as const;

/** What the CSV says about where each learner belongs: their cohorts' names, and the unit to cite criteria of. */
export interface CsvContext {
  cohortNamesOf: (learnerId: string) => readonly string[];
  /** Only this unit's criteria codes ("2.1 2.4"); absent: every unit's, as "CS17 2.1". */
  unit?: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const safeCell = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** One row per rehearsal and dimension, newest rehearsal first, with a header row. */
export function rehearsalsCsv(
  records: readonly EvidenceRecord[],
  reviews: ReadonlyMap<string, TutorReview>,
  library: Library,
  context: CsvContext,
): string {
  const rows: string[][] = [];
  for (const record of records) {
    const review = reviews.get(record.id);
    const levels = levelsAfterReview(record, review);
    for (const dimension of dimensionOrderOf(record, library)) {
      const level = levels[dimension];
      if (!level) continue;
      const cited = library.dimensions.find((d) => d.id === dimension)?.criteria ?? [];
      const criteria = cited
        .filter((c) => context.unit === undefined || c.unit === context.unit)
        .map((c) => (context.unit === undefined ? `${c.unit} ${c.code}` : c.code));
      rows.push(
        [
          record.id,
          record.learner.id,
          record.learner.name ?? '',
          context.cohortNamesOf(record.learner.id).join('; '),
          record.scenario.id,
          record.scenario.title,
          record.endedAt,
          record.mode,
          dimension,
          level.scorer === null ? '' : String(level.scorer),
          // A reviewed rehearsal's tutor level is the one the tutor set, or the scorer's they agreed with.
          review && level.level !== null ? String(level.level) : '',
          review?.reviewer.name ?? review?.reviewer.id ?? '',
          review?.verdict ?? '',
          [...new Set(criteria)].join(' '),
        ].map(safeCell),
      );
    }
  }
  // A byte order mark first: without it Excel reads the UTF-8 as another encoding and garbles "Siobhán O’Brien".
  return `\uFEFF${stringify([[...CSV_COLUMNS], ...rows])}`;
}

/** The JSON export: each record exactly as stored, with all its reviews, oldest first (the last is current). */
export function rehearsalsJson(
  records: readonly EvidenceRecord[],
  reviewsOf: ReadonlyMap<string, readonly TutorReview[]>,
  meta: { exportedAt: string; scope: string },
): string {
  return JSON.stringify(
    { ...meta, count: records.length, rehearsals: records.map((record) => ({ record, reviews: reviewsOf.get(record.id) ?? [] })) },
    null,
    2,
  );
}
