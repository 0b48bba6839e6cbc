/**
 * How a signed review reaches the learner: a message in the conversation they rehearsed in. The
 * bot host implements it (bot/review-notices.ts), so the review pages and API need no Bot Framework.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { TutorReview } from '../engine/tutor-review.ts';

export interface LearnerNotifier {
  /**
   * Queues the learner's message about this review and tries to deliver it at once. Resolves once
   * it is queued (it is then never lost: a failed delivery is retried later); says whether it was
   * delivered already.
   */
  reviewSigned(record: EvidenceRecord, review: TutorReview): Promise<'delivered' | 'queued'>;
}
