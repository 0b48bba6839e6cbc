/**
 * What the cohort pages and the cohort API do, once: create a cohort, list a tutor's cohorts, assign
 * a scenario, show who has done each assignment, and gather a cohort's (or a learner's) rehearsals
 * with their current reviews for the portfolio, the analytics and the exports. Both faces call
 * these, so they never disagree about who may see what.
 *
 * @remarks
 * A tutor sees the cohorts they teach (an admin sees all); a cohort outside a tutor's reach is
 * answered as one that does not exist, as rehearsals are.
 */
import { z } from 'zod';
import { attemptsAt, hasDone, isOverdue, ukDayOf } from '../engine/assignment-progress.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import { levelsAfterReview, type ReviewedLevel, type TutorReview } from '../engine/tutor-review.ts';
import { ASSIGNMENT_MODES, type Assignment, type Cohort, type CohortMember, type CohortStore } from '../store/cohort-store.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { ReviewStore } from '../store/review-store.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import type { ReviewService } from './review-service.ts';

/** A problem with what a tutor sent: the field, and what is wrong, in words for them. */
export interface FieldProblem {
  field: string;
  message: string;
}

export const NewCohortSchema = z.strictObject({
  name: z.string({ error: 'name is required' }).trim().min(1, 'name is required').max(100, 'name must be at most 100 characters'),
  unit: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((u) => (u ? u : undefined)),
});

export const NewAssignmentSchema = z.strictObject({
  scenario: z.string({ error: 'scenario is required' }).trim().min(1, 'scenario is required').max(200),
  due: z.iso.date({ error: 'due must be a date, YYYY-MM-DD' }),
  mode: z.enum(ASSIGNMENT_MODES, { error: `mode must be ${ASSIGNMENT_MODES.join(' or ')}` }),
});

/** One learner's progress on one assignment: their latest attempt since it was set, with its levels. */
export interface AssignmentProgress {
  learner: CohortMember;
  done: boolean;
  attempts: number;
  latest?: { id: string; endedAt: string; levels: Record<string, ReviewedLevel>; reviewed: boolean };
}

export interface AssignmentView {
  assignment: Assignment;
  scenarioTitle: string;
  overdue: boolean;
  progress: AssignmentProgress[];
}

export interface CohortView {
  cohort: Cohort;
  assignments: AssignmentView[];
}

/** Rehearsals with their current reviews: what the portfolio, analytics and exports are made from. */
export interface ReviewedRecords {
  records: EvidenceRecord[];
  reviews: Map<string, TutorReview>;
}

export interface CohortServiceParts {
  cohorts: CohortStore;
  evidence: EvidenceStore;
  reviews: ReviewStore;
  review: ReviewService;
  library: Library;
  now?: () => Date;
}

export class CohortService {
  private readonly now: () => Date;

  constructor(private readonly parts: CohortServiceParts) {
    this.now = parts.now ?? (() => new Date());
  }

  /** Creates a cohort taught by this tutor; or the problems with what was sent. */
  async create(tutor: TutorAccount, input: unknown): Promise<{ cohort: Cohort } | { problems: FieldProblem[] }> {
    const parsed = NewCohortSchema.safeParse(input);
    if (!parsed.success) return { problems: problemsOf(parsed.error) };
    const { name, unit } = parsed.data;
    if (unit !== undefined && !this.parts.library.units.some((u) => u.id === unit))
      return {
        problems: [
          { field: 'unit', message: `there is no unit "${unit}"; units: ${this.parts.library.units.map((u) => u.id).join(', ')}` },
        ],
      };
    return { cohort: await this.parts.cohorts.create({ name, ...(unit ? { unit } : {}), tutor: tutor.email }) };
  }

  async list(tutor: TutorAccount): Promise<Cohort[]> {
    return this.parts.cohorts.listFor(tutor);
  }

  /** The cohort, if this tutor teaches it (an admin: any). */
  async get(tutor: TutorAccount, id: string): Promise<Cohort | undefined> {
    const cohort = await this.parts.cohorts.get(id);
    return cohort && (tutor.role === 'admin' || cohort.tutors.includes(tutor.email.toLowerCase())) ? cohort : undefined;
  }

  /** The cohort with each assignment's progress per member. */
  async view(tutor: TutorAccount, id: string): Promise<CohortView | undefined> {
    const cohort = await this.get(tutor, id);
    if (!cohort) return undefined;
    const { records, reviews } = await this.recordsOfLearners(cohort.members.map((m) => m.learnerId));
    const today = ukDayOf(this.now());
    const assignments = [...cohort.assignments]
      .sort((a, b) => a.due.localeCompare(b.due))
      .map((assignment) => ({
        assignment,
        scenarioTitle: this.parts.library.scenarios.find((s) => s.id === assignment.scenarioId)?.title ?? assignment.scenarioId,
        overdue: isOverdue(assignment, today),
        progress: cohort.members.map((learner) => {
          const attempts = attemptsAt(assignment, learner.learnerId, records);
          const latest = attempts[0];
          const review = latest && reviews.get(latest.id);
          return {
            learner,
            done: hasDone(assignment, learner.learnerId, records),
            attempts: attempts.length,
            ...(latest
              ? {
                  latest: {
                    id: latest.id,
                    endedAt: latest.endedAt,
                    levels: levelsAfterReview(latest, review),
                    reviewed: review !== undefined,
                  },
                }
              : {}),
          };
        }),
      }));
    return { cohort, assignments };
  }

  /** Assigns a scenario to the cohort; or the problems with what was sent; undefined for a cohort out of reach. */
  async assign(
    tutor: TutorAccount,
    cohortId: string,
    input: unknown,
  ): Promise<{ assignment: Assignment } | { problems: FieldProblem[] } | undefined> {
    const cohort = await this.get(tutor, cohortId);
    if (!cohort) return undefined;
    const parsed = NewAssignmentSchema.safeParse(input);
    if (!parsed.success) return { problems: problemsOf(parsed.error) };
    const { scenario, due, mode } = parsed.data;
    if (!this.parts.library.scenarios.some((s) => s.id === scenario))
      return { problems: [{ field: 'scenario', message: `there is no scenario "${scenario}"` }] };
    if (due < ukDayOf(this.now())) return { problems: [{ field: 'due', message: 'the due date has passed: choose today or a later day' }] };
    const assignment = await this.parts.cohorts.assign(cohort.id, { scenarioId: scenario, due, mode, setBy: tutor.email });
    return assignment ? { assignment } : undefined;
  }

  /** Every rehearsal of the cohort's members, with current reviews; undefined for a cohort out of reach. */
  async cohortRecords(tutor: TutorAccount, cohortId: string): Promise<(ReviewedRecords & { cohort: Cohort }) | undefined> {
    const cohort = await this.get(tutor, cohortId);
    if (!cohort) return undefined;
    return { cohort, ...(await this.recordsOfLearners(cohort.members.map((m) => m.learnerId))) };
  }

  /** Every rehearsal the tutor may see (an admin: all), with current reviews: for exports and calibration. */
  async reachableRecords(tutor: TutorAccount): Promise<ReviewedRecords> {
    const reach = await this.parts.review.reachOf(tutor);
    if (reach !== undefined) return this.recordsOfLearners(reach);
    const records: EvidenceRecord[] = [];
    // Paged by cursor: every record once, however many there are.
    for (let after: { endedAt: string; id: string } | undefined; ;) {
      const page = await this.parts.evidence.list({ limit: 200, ...(after ? { after } : {}) });
      records.push(...page.records);
      const last = page.records.at(-1);
      if (!last || page.records.length < 200) break;
      after = { endedAt: last.endedAt, id: last.id };
    }
    return { records, reviews: await this.parts.reviews.currentReviews(records.map((r) => r.id)) };
  }

  /** One learner's rehearsals with current reviews, if the tutor reviews them. */
  async learnerRecords(tutor: TutorAccount, learnerId: string): Promise<ReviewedRecords | undefined> {
    if (!(await this.parts.review.mayReview(tutor, { learner: { id: learnerId } }))) return undefined;
    return this.recordsOfLearners([learnerId]);
  }

  /** The cohorts a learner is in that this tutor may see. */
  async cohortsOfLearner(tutor: TutorAccount, learnerId: string): Promise<Cohort[]> {
    const cohorts = await this.parts.cohorts.cohortsOf(learnerId);
    return cohorts.filter((c) => tutor.role === 'admin' || c.tutors.includes(tutor.email.toLowerCase()));
  }

  private async recordsOfLearners(learnerIds: readonly string[]): Promise<ReviewedRecords> {
    const records = (await Promise.all(learnerIds.map((id) => this.parts.evidence.listFor(id)))).flat();
    return { records, reviews: await this.parts.reviews.currentReviews(records.map((r) => r.id)) };
  }
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message }));
}
