/**
 * One learner's qualification portfolio for one unit: every assessment criterion of the unit, in the
 * unit's order, with the rehearsals that evidence it, at what level, and whether a tutor confirmed
 * it. What an assessor or external verifier reads to see which criteria ServiceSim can vouch for.
 *
 * @remarks
 * The rules, decided here once so the page, an export and a later audit agree:
 * - A rehearsal evidences a criterion when a dimension that cites that criterion (for this unit, in
 *   `rubrics/dimensions.yaml`) has a level in it after review. A dimension scored "no occasion"
 *   (null) evidences nothing: the conversation gave no chance to show it.
 * - The level a rehearsal gives a criterion is the lowest of the levels of the citing dimensions it
 *   has. Several dimensions citing one criterion each cover a part of it, so the criterion is shown
 *   only as far as its weakest part: a portfolio must never claim more than the evidence shows.
 *   Every citing dimension's own level is kept beside it, so a reader sees why.
 * - Levels are those after the current review (`levelsAfterReview`): the tutor's where they set
 *   one, the scorer's otherwise.
 * - A rehearsal is confirmed when its current review is signed: each citing dimension then says
 *   whether the tutor agreed with the scorer's level or set their own. Without a review it is the
 *   scorer's judgement alone ("unconfirmed").
 * - A criterion is `evidenced` when some rehearsal gives it level 2 or 3 (Competent or Strong),
 *   `partly` when rehearsals touch it only at 0 or 1, `none` when no rehearsal touches it. A
 *   criterion no dimension cites (most knowledge criteria, such as "describe the procedures")
 *   cannot be evidenced by a rehearsal at all: it is `none` and marked as assessed outside
 *   ServiceSim, so a reader never mistakes it for a gap in the learner's practice.
 * - Practice and assessment rehearsals both count (each says which); rehearsals are listed oldest
 *   first, by the time they ended.
 */
import type { EvidenceRecord, Learner } from './evidence-record.ts';
import type { Library } from './rubric-library.ts';
import type { Unit } from './rubric-schema.ts';
import { levelsAfterReview, type TutorReview, type Verdict } from './tutor-review.ts';

/** A criterion's standing in the portfolio. */
export type CriterionStatus = 'evidenced' | 'partly' | 'none';

/** Whether a tutor stands behind a dimension's level in one rehearsal. */
export type Confirmation = 'agreed' | 'set' | 'unconfirmed';

/** The level a level counts as evidence at: Competent or better. */
export const EVIDENCED_LEVEL = 2;

export interface DimensionEvidence {
  id: string;
  name: string;
  /** The level that counts, after review. */
  level: number;
  /** The scorer's level, which the tutor may have changed. */
  scorer: number | null;
  confirmation: Confirmation;
}

export interface CriterionRehearsal {
  recordId: string;
  scenario: { id: string; title: string };
  mode: EvidenceRecord['mode'];
  endedAt: string;
  /** The lowest level of the citing dimensions in this rehearsal. */
  level: number;
  /** A signed review covers this rehearsal. */
  confirmed: boolean;
  dimensions: DimensionEvidence[];
}

export interface PortfolioCriterion {
  code: string;
  text: string;
  status: CriterionStatus;
  /** No dimension cites this criterion: it is assessed outside ServiceSim. */
  assessedOutside: boolean;
  /** The dimensions that cite it, by id. */
  citedBy: string[];
  /** Oldest first. */
  rehearsals: CriterionRehearsal[];
  /** The best level any rehearsal gives it, or null when none touches it. */
  bestLevel: number | null;
  /** Evidenced by a rehearsal whose level a tutor confirmed (agreed or set) at 2 or 3. */
  confirmed: boolean;
}

/** A rehearsal that evidences at least one criterion: for the sign-offs and the transcripts appended. */
export interface PortfolioRehearsal {
  record: EvidenceRecord;
  review?: TutorReview;
  /** Every scored dimension's level after review, in the record's order. */
  levels: Array<{ id: string; name: string; level: number | null; scorer: number | null; tutorSet: boolean }>;
}

export interface PortfolioSignOff {
  recordId: string;
  scenario: { id: string; title: string };
  reviewer: { id: string; name?: string };
  at: string;
  verdict: Verdict;
}

export interface Portfolio {
  unit: { id: string; title: string; awardingBody: string; level: number };
  learner?: Learner;
  criteria: PortfolioCriterion[];
  rehearsals: PortfolioRehearsal[];
  /** The current review of each evidencing rehearsal that has one, oldest first. */
  signOffs: PortfolioSignOff[];
  summary: {
    criteria: number;
    evidenced: number;
    /** Of those evidenced, how many a tutor confirmed. */
    confirmed: number;
    partly: number;
    none: number;
    /** Of those with no evidence, how many no dimension cites. */
    assessedOutside: number;
    rehearsals: number;
  };
}

/**
 * The portfolio of one learner's rehearsals for `unit`, with the current review of each record by
 * record id. Throws when the records belong to more than one learner: mixing two learners'
 * evidence in one portfolio would be worse than showing none.
 */
export function portfolioOf(
  unit: Unit,
  records: readonly EvidenceRecord[],
  reviews: ReadonlyMap<string, TutorReview>,
  library: Pick<Library, 'dimensions'>,
): Portfolio {
  const learners = new Set(records.map((r) => r.learner.id));
  if (learners.size > 1)
    throw new Error(`a portfolio is one learner's: these records belong to ${learners.size} learners (${[...learners].join(', ')})`);

  const nameOf = new Map(library.dimensions.map((d) => [d.id, d.name]));
  // Which dimensions cite each of this unit's criteria.
  const citing = new Map<string, string[]>();
  for (const dimension of library.dimensions)
    for (const citation of dimension.evidences)
      if (citation.unit === unit.id)
        for (const code of citation.criteria) {
          const list = citing.get(code) ?? [];
          if (!list.includes(dimension.id)) list.push(dimension.id);
          citing.set(code, list);
        }

  const ordered = [...records].sort((a, b) => a.endedAt.localeCompare(b.endedAt) || a.id.localeCompare(b.id));
  const reviewed = ordered.map((record) => {
    const review = reviews.get(record.id);
    return { record, review, levels: levelsAfterReview(record, review) };
  });

  const evidencing = new Set<string>();
  const criteria = unit.criteria.map((criterion): PortfolioCriterion => {
    const citedBy = citing.get(criterion.code) ?? [];
    const rehearsals: CriterionRehearsal[] = [];
    for (const { record, review, levels } of reviewed) {
      const dimensions: DimensionEvidence[] = citedBy.flatMap((id) => {
        const level = levels[id]?.level;
        if (level === undefined || level === null) return [];
        return [
          {
            id,
            name: nameOf.get(id) ?? id,
            level,
            scorer: levels[id]!.scorer,
            confirmation: review === undefined ? 'unconfirmed' : Object.hasOwn(review.dimensions, id) ? 'set' : 'agreed',
          },
        ];
      });
      if (dimensions.length === 0) continue;
      evidencing.add(record.id);
      rehearsals.push({
        recordId: record.id,
        scenario: { id: record.scenario.id, title: record.scenario.title },
        mode: record.mode,
        endedAt: record.endedAt,
        level: Math.min(...dimensions.map((d) => d.level)),
        confirmed: review !== undefined,
        dimensions,
      });
    }
    const bestLevel = rehearsals.length === 0 ? null : Math.max(...rehearsals.map((r) => r.level));
    return {
      code: criterion.code,
      text: criterion.text,
      status: bestLevel === null ? 'none' : bestLevel >= EVIDENCED_LEVEL ? 'evidenced' : 'partly',
      assessedOutside: citedBy.length === 0,
      citedBy,
      rehearsals,
      bestLevel,
      confirmed: rehearsals.some((r) => r.confirmed && r.level >= EVIDENCED_LEVEL),
    };
  });

  const evidenced = reviewed.filter(({ record }) => evidencing.has(record.id));
  const learner = records[0]?.learner;
  return {
    unit: { id: unit.id, title: unit.title, awardingBody: unit.awardingBody, level: unit.level },
    ...(learner ? { learner } : {}),
    criteria,
    rehearsals: evidenced.map(({ record, review, levels }) => ({
      record,
      ...(review ? { review } : {}),
      levels: Object.entries(levels).map(([id, l]) => ({
        id,
        name: nameOf.get(id) ?? id,
        level: l.level,
        scorer: l.scorer,
        tutorSet: l.tutor !== undefined,
      })),
    })),
    signOffs: evidenced.flatMap(({ record, review }) =>
      review
        ? [
            {
              recordId: record.id,
              scenario: { id: record.scenario.id, title: record.scenario.title },
              reviewer: review.reviewer,
              at: review.at,
              verdict: review.verdict,
            },
          ]
        : [],
    ),
    summary: {
      criteria: criteria.length,
      evidenced: criteria.filter((c) => c.status === 'evidenced').length,
      confirmed: criteria.filter((c) => c.status === 'evidenced' && c.confirmed).length,
      partly: criteria.filter((c) => c.status === 'partly').length,
      none: criteria.filter((c) => c.status === 'none').length,
      assessedOutside: criteria.filter((c) => c.assessedOutside).length,
      rehearsals: evidenced.length,
    },
  };
}
