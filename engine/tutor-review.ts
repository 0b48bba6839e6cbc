/**
 * A tutor's review of one scored rehearsal: per dimension, agreement with the scorer or the tutor's
 * own level with a reason; comments pinned to turns; feedback to the learner; and a verdict.
 *
 * @remarks
 * Reviews are appended, never edited, and never change the scored record: the scorer's report stays
 * as it was scored, and a later review supersedes an earlier one while both are kept, so a
 * portfolio can show who judged what, and when. `levelsAfterReview` gives the levels that count.
 */
import { z } from 'zod';
import type { EvidenceRecord } from './evidence-record.ts';

export const VERDICTS = ['meets-standard', 'needs-another-attempt'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VERDICT_TEXT: Record<Verdict, string> = {
  'meets-standard': 'meets the standard',
  'needs-another-attempt': 'needs another attempt',
};

/** The longest reason, comment or feedback kept: a paragraph or two, not an essay. */
export const MAX_REVIEW_TEXT = 4000;

const text = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(MAX_REVIEW_TEXT, `${what} must be at most ${MAX_REVIEW_TEXT} characters`);

/** A level the tutor set for one dimension, and why: a changed level must be explained to the learner and to later reviewers. */
const TutorLevelSchema = z.strictObject({ level: z.number().int().min(0).max(3), reason: text('a reason for the changed level') });

const TurnCommentSchema = z.strictObject({ turn: z.number().int().min(1), text: text('a comment') });

/** What a tutor submits (the API's body, the review form's fields): checked against the record by `checkReviewAgainst`. */
export const ReviewSubmissionSchema = z.strictObject({
  /** Only the dimensions the tutor changed; any other keeps the scorer's level, agreed with. */
  dimensions: z.record(z.string(), TutorLevelSchema).default({}),
  comments: z.array(TurnCommentSchema).max(100).default([]),
  feedback: text('feedback to the learner'),
  verdict: z.enum(VERDICTS, { error: `choose a verdict: ${VERDICTS.join(' or ')}` }),
  nextScenario: z.string().trim().min(1).max(200).optional(),
});
export type ReviewSubmission = z.infer<typeof ReviewSubmissionSchema>;

const ReviewerSchema = z.object({ id: z.string().min(1), name: z.string().optional() });

export const TutorReviewSchema = ReviewSubmissionSchema.extend({
  id: z.string().min(1),
  recordId: z.string().min(1),
  reviewer: ReviewerSchema,
  /** When it was signed, an ISO instant. */
  at: z.iso.datetime({ offset: true }),
});
export type TutorReview = z.infer<typeof TutorReviewSchema>;

/** A problem with a submission that only the record can show: the field it is in, and what is wrong. */
export interface ReviewProblem {
  field: string;
  message: string;
}

/**
 * The problems with a submission for this record: a dimension the rehearsal was not scored on, a
 * comment on a turn the transcript does not have, a next scenario that is not in the library.
 */
export function checkReviewAgainst(
  submission: ReviewSubmission,
  record: EvidenceRecord,
  scenarioExists: (id: string) => boolean,
): ReviewProblem[] {
  const problems: ReviewProblem[] = [];
  for (const id of Object.keys(submission.dimensions))
    if (!Object.hasOwn(record.report.dimensions, id))
      problems.push({ field: `dimensions.${id}`, message: `this rehearsal was not scored on "${id}"` });
  submission.comments.forEach((comment, i) => {
    if (comment.turn > record.turns.length)
      problems.push({ field: `comments.${i}.turn`, message: `the transcript has ${record.turns.length} turns, not ${comment.turn}` });
  });
  if (submission.nextScenario !== undefined && !scenarioExists(submission.nextScenario))
    problems.push({ field: 'nextScenario', message: `there is no scenario "${submission.nextScenario}"` });
  return problems;
}

/** The review that counts: the latest signed (reviews are kept oldest first). */
export const currentReview = (reviews: readonly TutorReview[]): TutorReview | undefined => reviews.at(-1);

export interface ReviewedLevel {
  /** The level that counts: the tutor's where they set one, else the scorer's (null: no occasion). */
  level: number | null;
  scorer: number | null;
  /** The tutor's level, when they changed the scorer's. */
  tutor?: number;
  reason?: string;
}

/** Every scored dimension's level after the current review: the tutor's level is the level everywhere, the scorer's stays beside it. */
export function levelsAfterReview(record: EvidenceRecord, review: TutorReview | undefined): Record<string, ReviewedLevel> {
  const out: Record<string, ReviewedLevel> = {};
  for (const [id, score] of Object.entries(record.report.dimensions)) {
    const changed = review?.dimensions[id];
    out[id] = changed
      ? { level: changed.level, scorer: score.level, tutor: changed.level, reason: changed.reason }
      : { level: score.level, scorer: score.level };
  }
  return out;
}
