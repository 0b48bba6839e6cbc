/**
 * Tells a learner that a tutor has signed a review of their rehearsal, with a proactive message in
 * the conversation they rehearsed in (Teams, or the local page), from the conversation reference
 * kept with the rehearsal.
 *
 * @remarks
 * A notice is queued in the shared store before anything is sent, and leaves the queue only once
 * delivered (and marked so, for good): a channel that is down, or a bot restarted meanwhile, delays
 * it, never loses it, and a sign-off retried after a fault never tells the learner twice. Due
 * notices are tried again with growing delays by every bot process; a lease per notice, and a fresh
 * read of the queue under it, keep two processes from sending one notice twice. A rehearsal with no
 * conversation reference (held before they were kept) cannot be messaged: that is logged, and the
 * learner sees the review in `history`.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import type { LearnerNotifier } from '../review/learner-notifier.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import { updateDocument } from '../store/document-update.ts';
import { PeriodicPass } from '../store/periodic-pass.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { reviewSignedText } from '../dialogs/review-feedback-text.ts';

/**
 * The queue, in 16 parts by review: sign-offs in several processes at once each change one part,
 * so they rarely collide (each part is a compare-and-set document); a retry pass reads all 16 at once.
 */
const OUTBOX_PARTS = Array.from({ length: 16 }, (_, i) => `review-notices/outbox/${i}`);
const outboxPartOf = (reviewId: string) => OUTBOX_PARTS[createHash('sha256').update(reviewId).digest()[0]! % OUTBOX_PARTS.length]!;
/** Kept for good once a notice is delivered. */
const deliveredKey = (reviewId: string) => `review-notice-delivered/{${reviewId}}`;
/** After the first try fails: a minute, five, half an hour, then every two hours, for as long as it takes. */
const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
/**
 * Well beyond one delivery (the connector's calls are bounded at a few tries of 10 s); a process
 * that dies holding it frees the notice this soon after.
 */
const LEASE_MS = 5 * 60_000;

interface Notice {
  reviewId: string;
  recordId: string;
  text: string;
  attempts: number;
  /** When it is next due, in epoch milliseconds. */
  dueAt: number;
}

interface Outbox {
  notices: Notice[];
}

/**
 * Sends one message into a stored conversation; throws if the channel does not take it. `id` is the
 * same for every try of one notice, so a channel that can tell (the local page) shows it once.
 */
export type DeliverMessage = (reference: unknown, text: string, id: string) => Promise<void>;

export interface ReviewNoticeParts {
  store: KeyValueStore;
  references: ConversationReferences;
  library: Library;
  deliver: DeliverMessage;
  logger: Logger;
  now?: () => number;
  retryDelaysMs?: readonly number[];
  /** How long one try holds a notice; the default suits a bot, a test shortens it. */
  leaseMs?: number;
}

export class ReviewNotices implements LearnerNotifier {
  private readonly periodic: PeriodicPass;
  private readonly now: () => number;
  private readonly delays: readonly number[];

  constructor(private readonly parts: ReviewNoticeParts) {
    this.periodic = new PeriodicPass(() => this.retryDue(), parts.logger, 'review notices not retried');
    this.now = parts.now ?? Date.now;
    this.delays = parts.retryDelaysMs ?? RETRY_DELAYS_MS;
  }

  /** Safe to call again for the same review: a notice is queued once, and sent once. */
  async reviewSigned(record: EvidenceRecord, review: TutorReview): Promise<'delivered' | 'queued'> {
    if (await this.wasDelivered(review.id)) return 'delivered';
    const next = review.nextScenario ? this.parts.library.scenarios.find((s) => s.id === review.nextScenario)?.title : undefined;
    const notice: Notice = {
      reviewId: review.id,
      recordId: record.id,
      text: reviewSignedText(record, review, next),
      attempts: 0,
      dueAt: this.now(),
    };
    await updateDocument<Outbox>(this.parts.store, outboxPartOf(notice.reviewId), (outbox) =>
      outbox?.notices.some((n) => n.reviewId === notice.reviewId) ? undefined : { notices: [...(outbox?.notices ?? []), notice] },
    );
    return (await this.attempt(notice.reviewId)) ? 'delivered' : 'queued';
  }

  /** Tries every notice that is due; resolves to how many were delivered. */
  async retryDue(): Promise<number> {
    let delivered = 0;
    for (const notice of (await this.outbox()).notices)
      if (notice.dueAt <= this.now() && (await this.attempt(notice.reviewId))) delivered++;
    return delivered;
  }

  /** Notices waiting to be delivered (for the operator and tests). */
  async pending(): Promise<number> {
    return (await this.outbox()).notices.length;
  }

  /** Tries due notices every `intervalMs` until stopped. */
  start(intervalMs = 30_000): void {
    this.periodic.start(intervalMs);
  }

  stop(): void {
    this.periodic.stop();
  }

  /**
   * Delivers one notice under its lease; true once it is delivered (or can never be) and has left
   * the queue. The notice is read afresh under the lease, so one that another process delivered
   * meanwhile is not sent again.
   */
  private async attempt(reviewId: string): Promise<boolean> {
    const lease = `review-notice-lease/${reviewId}`;
    const taken = (
      await this.parts.store.write([{ key: lease, value: { at: this.now() }, create: true, ttlMs: this.parts.leaseMs ?? LEASE_MS }])
    )[lease];
    if (!taken?.written) return false;
    let delivered = false;
    try {
      const notice = (await this.outbox()).notices.find((n) => n.reviewId === reviewId);
      if (!notice) return false;
      // Delivered before, but its leaving the queue was cut short: it leaves now, unsent.
      if (await this.wasDelivered(reviewId)) {
        await this.dequeue(reviewId);
        return false;
      }
      if (notice.dueAt > this.now()) return false;
      const reference = await this.parts.references.of(notice.recordId);
      if (reference === undefined) {
        this.parts.logger.warn(
          { review: reviewId },
          'review notice not sent: the rehearsal has no conversation to send it to; the learner sees it in history',
        );
      } else {
        try {
          await this.parts.deliver(reference, notice.text, `review-${reviewId}`);
        } catch (error) {
          await this.postpone(notice, error as Error);
          return false;
        }
      }
      delivered = true;
      // Sent: what follows only tidies up. A failure here is logged, never thrown to the tutor (whose
      // sign-off would look failed) and never a reason to send again: the lease is kept until it runs out.
      try {
        await this.parts.store.write([{ key: deliveredKey(reviewId), value: { at: new Date(this.now()).toISOString() } }]);
        await this.dequeue(reviewId);
      } catch (error) {
        this.parts.logger.error(
          { review: reviewId, err: { name: (error as Error).name, message: (error as Error).message } },
          'review notice delivered, but not yet marked so; it will not be sent again while its lease lasts',
        );
      }
      return true;
    } finally {
      // Released only if still ours: a lease that ran out during a slow try may be another process's now.
      if (!delivered && taken.written) await this.parts.store.deleteIfUnchanged(lease, taken.eTag).catch(() => undefined);
    }
  }

  private async dequeue(reviewId: string): Promise<void> {
    await updateDocument<Outbox>(this.parts.store, outboxPartOf(reviewId), (outbox) =>
      outbox?.notices.some((n) => n.reviewId === reviewId) ? { notices: outbox.notices.filter((n) => n.reviewId !== reviewId) } : undefined,
    );
  }

  private async wasDelivered(reviewId: string): Promise<boolean> {
    return (await this.parts.store.read([deliveredKey(reviewId)]))[deliveredKey(reviewId)] !== undefined;
  }

  private async outbox(): Promise<Outbox> {
    const parts = await this.parts.store.read(OUTBOX_PARTS);
    return { notices: Object.values(parts).flatMap((item) => (item.value as Outbox).notices) };
  }

  private async postpone(notice: Notice, error: Error): Promise<void> {
    const attempts = notice.attempts + 1;
    const dueAt = this.now() + this.delays[Math.min(attempts - 1, this.delays.length - 1)]!;
    this.parts.logger.warn(
      { review: notice.reviewId, attempts, err: { name: error.name, message: error.message } },
      'review notice not delivered; will try again',
    );
    await updateDocument<Outbox>(this.parts.store, outboxPartOf(notice.reviewId), (outbox) =>
      outbox ? { notices: outbox.notices.map((n) => (n.reviewId === notice.reviewId ? { ...n, attempts, dueAt } : n)) } : undefined,
    );
  }
}
