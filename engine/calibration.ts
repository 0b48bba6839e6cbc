/**
 * How well the scorer agrees with the tutors who review it, dimension by dimension: how often a
 * tutor changed the scorer's level, and the same agreement figures `npm run bench` prints for the
 * hand-labelled set (exact, exact-or-adjacent, quadratic weighted kappa), here between the scorer's
 * level and the tutor's. What tells an assessment team whether the scorer can be trusted in use,
 * not only on the labelled set.
 *
 * @remarks
 * Only reviewed records count, each by its current review. The tutor's level is the level after
 * review: their own where they set one, otherwise the scorer's, which they agreed with by signing.
 * A pair is counted only when both levels are 0–3; when the scorer said "no occasion" and the tutor
 * set a level, it counts as a change but cannot be paired, so `reviewed` may exceed `pairs`.
 * Tutors agree by leaving a level alone, so these figures lean towards agreement more than the
 * labelled set's, whose labellers never saw the scorer's levels: read them with that in mind.
 */
import { agreement, type Agreement } from './agreement-metrics.ts';
import type { EvidenceRecord } from './evidence-record.ts';
import type { Library } from './rubric-library.ts';
import { levelsAfterReview, type TutorReview } from './tutor-review.ts';

export interface CalibrationRow {
  dimension: { id: string; name: string };
  /** Reviewed rehearsals scored on this dimension. */
  reviewed: number;
  /** How many of those the tutor gave a level other than the scorer's. */
  changed: number;
  /** `changed / reviewed`; NaN when none were reviewed. */
  changedRate: number;
  /** Exact, exact-or-adjacent and kappa between the scorer's level and the tutor's. */
  agreement: Agreement;
}

export interface Calibration {
  /** Records with a current review. */
  reviewedRecords: number;
  /** Of those, how many had at least one level changed. */
  recordsChanged: number;
  rows: CalibrationRow[];
  /** Every dimension's pairs and changes together. */
  overall: Omit<CalibrationRow, 'dimension'>;
}

/**
 * The calibration of the scorer against the current reviews (by record id) of these records; an
 * unreviewed record is left out. Dimensions are in the library's order, and only those reviewed.
 */
export function calibrationOf(
  records: readonly EvidenceRecord[],
  reviews: ReadonlyMap<string, TutorReview>,
  library: Pick<Library, 'dimensions'>,
): Calibration {
  const tallies = new Map<string, { reviewed: number; changed: number; pairs: Array<[number, number]> }>();
  let reviewedRecords = 0;
  let recordsChanged = 0;
  for (const record of records) {
    const review = reviews.get(record.id);
    if (!review) continue;
    reviewedRecords++;
    let anyChanged = false;
    for (const [id, level] of Object.entries(levelsAfterReview(record, review))) {
      const tally = tallies.get(id) ?? { reviewed: 0, changed: 0, pairs: [] };
      tally.reviewed++;
      // A tutor may "set" the scorer's own level: that is agreement, not a change.
      if (level.level !== level.scorer) {
        tally.changed++;
        anyChanged = true;
      }
      // [tutor, scorer], as the bench pairs [label, scorer].
      if (level.level !== null && level.scorer !== null) tally.pairs.push([level.level, level.scorer]);
      tallies.set(id, tally);
    }
    if (anyChanged) recordsChanged++;
  }

  const nameOf = new Map(library.dimensions.map((d) => [d.id, d.name]));
  const order = [
    ...library.dimensions.map((d) => d.id).filter((id) => tallies.has(id)),
    ...[...tallies.keys()].filter((id) => !nameOf.has(id)),
  ];
  const rows = order.map((id): CalibrationRow => {
    const { reviewed, changed, pairs } = tallies.get(id)!;
    return { dimension: { id, name: nameOf.get(id) ?? id }, ...figures(reviewed, changed, pairs) };
  });
  const all = [...tallies.values()];
  return {
    reviewedRecords,
    recordsChanged,
    rows,
    overall: figures(
      all.reduce((n, t) => n + t.reviewed, 0),
      all.reduce((n, t) => n + t.changed, 0),
      all.flatMap((t) => t.pairs),
    ),
  };
}

function figures(reviewed: number, changed: number, pairs: ReadonlyArray<readonly [number, number]>): Omit<CalibrationRow, 'dimension'> {
  return { reviewed, changed, changedRate: reviewed === 0 ? NaN : changed / reviewed, agreement: agreement(pairs) };
}
