/**
 * What the review pages and the review API do, once: list a tutor's inbox, show one rehearsal, and
 * sign a review. Both faces call these, so a page and the API never disagree about who may see what.
 *
 * @remarks
 * A tutor sees only their learners' rehearsals (an admin sees all). A rehearsal outside a tutor's
 * reach is answered exactly as one that does not exist, so ids cannot be probed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import { scoreFlagsOf } from '../engine/score-flags.ts';
import {
  checkReviewAgainst,
  levelsAfterReview,
  type ReviewProblem,
  type ReviewSubmission,
  type TutorReview,
} from '../engine/tutor-review.ts';
import type { CohortStore } from '../store/cohort-store.ts';
import type { EvidenceStore, ReviewStatus } from '../store/evidence-store.ts';
import type { ReviewStore } from '../store/review-store.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import { cursorText, evidenceQueryOf, type InboxQuery } from './inbox-filters.ts';
import type { LearnerNotifier } from './learner-notifier.ts';
import type { InboxRow } from './page-models.ts';
import { dimensionOrderOf } from './rehearsal-page-model.ts';

export const INBOX_PAGE_SIZE = 25;

export interface ReviewServiceParts {
  evidence: EvidenceStore;
  reviews: ReviewStore;
  library: Library;
  notifier?: LearnerNotifier;
  /** Tutors' cohorts: a tutor also reviews every learner in the cohorts they teach. */
  cohorts?: CohortStore;
  now?: () => Date;
}

export interface InboxResult {
  rows: InboxRow[];
  total: number;
  /** The cursor of the next page, or undefined on the last. */
  next?: string;
}

export interface RehearsalResult {
  record: EvidenceRecord;
  reviews: TutorReview[];
  status: ReviewStatus;
}

export type SignResult =
  | { signed: TutorReview; delivery: 'delivered' | 'queued' | 'not configured' | 'already signed' }
  | { problems: ReviewProblem[] }
  | { notFound: true };

export class ReviewService {
  private readonly now: () => Date;

  constructor(private readonly parts: ReviewServiceParts) {
    this.now = parts.now ?? (() => new Date());
  }

  /**
   * The learners a tutor may see: undefined for an admin (everyone); for a tutor, the learners an
   * admin gave them and every learner in the cohorts they teach, read afresh on every request, so a
   * learner who joins is seen at once and one erased is gone at once.
   */
  async reachOf(tutor: TutorAccount): Promise<readonly string[] | undefined> {
    if (tutor.role === 'admin') return undefined;
    const members = (await this.parts.cohorts?.learnersOf(tutor.email)) ?? [];
    return [...new Set([...tutor.learners, ...members])];
  }

  async inbox(tutor: TutorAccount, query: InboxQuery): Promise<InboxResult> {
    const pageSize = query.limit ?? INBOX_PAGE_SIZE;
    // One more than the page, to know whether there is a next page without a second query.
    const reach = await this.reachOf(tutor);
    const { records, total } = await this.parts.evidence.list({ ...evidenceQueryOf(query, reach, pageSize), limit: pageSize + 1 });
    const shown = records.slice(0, pageSize);
    const [current, statuses] = await Promise.all([
      this.parts.reviews.currentReviews(shown.map((r) => r.id)),
      Promise.all(shown.map((r) => this.parts.evidence.reviewStatusOf(r.id))),
    ]);
    const rows = shown.map((record, i) => this.rowOf(record, current.get(record.id), statuses[i] ?? 'unreviewed'));
    const last = shown.at(-1);
    return { rows, total, ...(records.length > pageSize && last ? { next: cursorText({ endedAt: last.endedAt, id: last.id }) } : {}) };
  }

  /** The rehearsal, with its reviews, if this tutor may see it. */
  async rehearsal(tutor: TutorAccount, id: string): Promise<RehearsalResult | undefined> {
    const record = await this.parts.evidence.get(id);
    if (!record || !(await this.mayReview(tutor, record))) return undefined;
    const [reviews, status] = await Promise.all([this.parts.reviews.reviewsOf(id), this.parts.evidence.reviewStatusOf(id)]);
    return { record, reviews, status: status ?? 'unreviewed' };
  }

  /**
   * Signs a review: appended to the rehearsal's reviews (superseding any earlier one, which stays),
   * the rehearsal's review status set to the verdict, and the learner's message queued.
   */
  async sign(tutor: TutorAccount, id: string, submission: ReviewSubmission, { key }: { key?: string } = {}): Promise<SignResult> {
    const record = await this.parts.evidence.get(id);
    if (!record || !(await this.mayReview(tutor, record))) return { notFound: true };
    const problems = checkReviewAgainst(submission, record, (scenario) => this.parts.library.scenarios.some((s) => s.id === scenario));
    if (problems.length > 0) return { problems };
    // The same submission sent again (Back and Sign off, a request retried after a fault) names the
    // same review: it is kept once, and whatever the first attempt left undone is finished now.
    // What was submitted is part of the id: a key sent again with other content (edited after a fault) is a new review, not lost.
    const reviewId =
      key === undefined
        ? randomUUID()
        : createHash('sha256')
            .update(JSON.stringify([tutor.email, id, key, submission]))
            .digest('hex')
            .slice(0, 32);
    const candidate: TutorReview = {
      ...submission,
      id: reviewId,
      recordId: id,
      reviewer: { id: tutor.email, ...(tutor.name ? { name: tutor.name } : {}) },
      at: this.now().toISOString(),
    };
    const added = await this.parts.reviews.append(candidate);
    const reviews = await this.parts.reviews.reviewsOf(id);
    const review = added ? candidate : (reviews.find((r) => r.id === reviewId) ?? candidate);
    // The status follows the current review, which a retried older submission never displaces; read
    // again after writing, so two tutors signing at once leave the status of the one that is current.
    let current = reviews.at(-1) ?? review;
    for (let check = 0; check < 3; check++) {
      await this.parts.evidence.setReviewStatus(id, current.verdict);
      const latest = (await this.parts.reviews.reviewsOf(id)).at(-1) ?? current;
      if (latest.id === current.id) break;
      current = latest;
    }
    // Queued once and sent once, however often this runs for the same review.
    const delivery = this.parts.notifier ? await this.parts.notifier.reviewSigned(record, review) : 'not configured';
    return { signed: review, delivery: added ? delivery : 'already signed' };
  }

  /** Whether the tutor reviews this learner. */
  async mayReview(tutor: TutorAccount, record: Pick<EvidenceRecord, 'learner'>): Promise<boolean> {
    const reach = await this.reachOf(tutor);
    return reach === undefined || reach.includes(record.learner.id);
  }

  private rowOf(record: EvidenceRecord, review: TutorReview | undefined, status: ReviewStatus): InboxRow {
    const levels = levelsAfterReview(record, review);
    const order = dimensionOrderOf(record, this.parts.library);
    return {
      id: record.id,
      learner: { id: record.learner.id, ...(record.learner.name ? { name: record.learner.name } : {}) },
      scenario: { id: record.scenario.id, title: record.scenario.title },
      mode: record.mode,
      endedAt: record.endedAt,
      levels: order.map((dimension) => ({
        dimension,
        name: this.parts.library.dimensions.find((d) => d.id === dimension)?.name ?? dimension,
        ...levels[dimension]!,
      })),
      flags: scoreFlagsOf(record.report),
      status,
    };
  }
}
