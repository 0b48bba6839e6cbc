/**
 * Signing a review when a store fails part-way: the sign-off is refused with a fault, and the same
 * submission sent again finishes what the first left undone (the review status, the learner's
 * notice) without a second review or a second message.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import type { LearnerNotifier } from '../review/learner-notifier.ts';
import { ReviewService } from '../review/review-service.ts';
import { StoreUnavailableError } from '../store/key-value-store.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import { evidenceRecord } from './store-conformance.ts';

const library = await loadLibrary();
const admin: TutorAccount = { email: 'ann@example.org', role: 'admin', learners: [], createdAt: '2026-11-30T00:00:00Z', tokens: [] };
const submission = { dimensions: {}, comments: [], feedback: 'Well judged.', verdict: 'meets-standard' as const };

/** A notifier that fails the first `failures` times, then records each call. */
function notifier(failures: number): LearnerNotifier & { told: string[] } {
  const told: string[] = [];
  return {
    told,
    async reviewSigned(_record: EvidenceRecord, review: TutorReview) {
      if (failures-- > 0) throw new StoreUnavailableError('outbox down');
      // Every call recorded: telling the learner once is ReviewNotices' part (test/review-stores.test.ts);
      // the service's is to name the one review each time, however often it runs.
      told.push(review.id);
      return 'delivered';
    },
  };
}

async function setUp(notify: LearnerNotifier) {
  const evidence = new MemoryEvidenceStore();
  await evidence.save(evidenceRecord({ id: 'r1' }));
  const reviews = new KeyValueReviewStore(new MemoryKeyValueStore());
  return { evidence, reviews, service: new ReviewService({ evidence, reviews, library, notifier: notify }) };
}

describe('a sign-off cut short by a fault', () => {
  it('is finished by the same submission sent again, when the review status could not be set', async () => {
    const notify = notifier(0);
    const { evidence, reviews, service } = await setUp(notify);
    const setStatus = evidence.setReviewStatus.bind(evidence);
    let down = true;
    evidence.setReviewStatus = async (id, status) => {
      if (down) throw new StoreUnavailableError('evidence store down');
      return setStatus(id, status);
    };
    await expect(service.sign(admin, 'r1', submission, { key: 'form-1' })).rejects.toThrow(StoreUnavailableError);
    expect(await reviews.reviewsOf('r1')).toHaveLength(1);
    expect(notify.told).toEqual([]);
    down = false;
    const again = await service.sign(admin, 'r1', submission, { key: 'form-1' });
    expect(again).toMatchObject({ delivery: 'already signed' });
    expect(await reviews.reviewsOf('r1')).toHaveLength(1);
    expect(await evidence.reviewStatusOf('r1')).toBe('meets-standard');
    expect(notify.told).toHaveLength(1);
  });

  it('is finished by the same submission sent again, when the notice could not be queued; the learner is told once', async () => {
    const notify = notifier(1);
    const { reviews, service } = await setUp(notify);
    await expect(service.sign(admin, 'r1', submission, { key: 'form-2' })).rejects.toThrow(StoreUnavailableError);
    await service.sign(admin, 'r1', submission, { key: 'form-2' });
    await service.sign(admin, 'r1', submission, { key: 'form-2' });
    expect(await reviews.reviewsOf('r1')).toHaveLength(1);
    expect(new Set(notify.told).size).toBe(1);
  });

  it('never lets a retried older submission displace the current review as the status', async () => {
    const { evidence, service } = await setUp(notifier(0));
    await service.sign(admin, 'r1', { ...submission, verdict: 'needs-another-attempt' }, { key: 'older' });
    await service.sign(admin, 'r1', submission, { key: 'newer' });
    await service.sign(admin, 'r1', { ...submission, verdict: 'needs-another-attempt' }, { key: 'older' });
    expect(await evidence.reviewStatusOf('r1')).toBe('meets-standard');
  });
});
