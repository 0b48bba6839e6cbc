/**
 * Tells a learner that a tutor has signed a review of their rehearsal, with a proactive message in
 * the conversation they rehearsed in (Teams, or the local page), from the conversation reference
 * kept with the rehearsal.
 *
 * @remarks
 * A notice is queued in the shared store before anything is sent, and leaves the queue only once
 * delivered: a channel that is down, or a bot restarted meanwhile, delays it, never loses it. Due
 * notices are tried again with growing delays by every bot process; a short lease per notice keeps
 * two processes from sending it twice. A rehearsal with no conversation reference (held before they
 * were kept) cannot be messaged: that is logged, and the learner sees the review in `history`.
 */
import type { Logger } from 'pino';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import type { LearnerNotifier } from '../review/learner-notifier.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import { updateDocument } from '../store/document-update.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { reviewSignedText } from '../dialogs/review-feedback-text.ts';

const OUTBOX_KEY = 'review-notices/outbox';
/** After the first try fails: a minute, five, half an hour, then every two hours, for as long as it takes. */
const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
/** Long enough for one delivery; a process that dies holding it frees the notice this soon after. */
const LEASE_MS = 60_000;

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

/** Sends one message into a stored conversation; throws if the channel does not take it. */
export type DeliverMessage = (reference: unknown, text: string) => Promise<void>;

export interface ReviewNoticeParts {
  store: KeyValueStore;
  references: ConversationReferences;
  library: Library;
  deliver: DeliverMessage;
  logger: Logger;
  now?: () => number;
  retryDelaysMs?: readonly number[];
}

export class ReviewNotices implements LearnerNotifier {
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly delays: readonly number[];

  constructor(private readonly parts: ReviewNoticeParts) {
    this.now = parts.now ?? Date.now;
    this.delays = parts.retryDelaysMs ?? RETRY_DELAYS_MS;
  }

  async reviewSigned(record: EvidenceRecord, review: TutorReview): Promise<'delivered' | 'queued'> {
    const next = review.nextScenario ? this.parts.library.scenarios.find((s) => s.id === review.nextScenario)?.title : undefined;
    const notice: Notice = {
      reviewId: review.id,
      recordId: record.id,
      text: reviewSignedText(record, review, next),
      attempts: 0,
      dueAt: this.now(),
    };
    await updateDocument<Outbox>(this.parts.store, OUTBOX_KEY, (outbox) => ({
      notices: [...(outbox?.notices ?? []).filter((n) => n.reviewId !== notice.reviewId), notice],
    }));
    return (await this.attempt(notice)) ? 'delivered' : 'queued';
  }

  /** Tries every notice that is due; resolves to how many were delivered. */
  async retryDue(): Promise<number> {
    const outbox = (await this.parts.store.read([OUTBOX_KEY]))[OUTBOX_KEY]?.value as Outbox | undefined;
    let delivered = 0;
    for (const notice of outbox?.notices ?? []) if (notice.dueAt <= this.now() && (await this.attempt(notice))) delivered++;
    return delivered;
  }

  /** Notices waiting to be delivered (for the operator and tests). */
  async pending(): Promise<number> {
    const outbox = (await this.parts.store.read([OUTBOX_KEY]))[OUTBOX_KEY]?.value as Outbox | undefined;
    return outbox?.notices.length ?? 0;
  }

  /** Tries due notices every `intervalMs` until stopped. */
  start(intervalMs = 30_000): void {
    this.timer ??= setInterval(() => {
      this.retryDue().catch((error: unknown) =>
        this.parts.logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'review notices not retried'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Delivers one notice under its lease; true once it is delivered (or can never be) and has left the queue. */
  private async attempt(notice: Notice): Promise<boolean> {
    const lease = `review-notice-lease/${notice.reviewId}`;
    const taken = (await this.parts.store.write([{ key: lease, value: { at: this.now() }, create: true, ttlMs: LEASE_MS }]))[lease];
    if (!taken?.written) return false;
    try {
      const reference = await this.parts.references.of(notice.recordId);
      if (reference === undefined) {
        this.parts.logger.warn(
          { review: notice.reviewId },
          'review notice not sent: the rehearsal has no conversation to send it to; the learner sees it in history',
        );
      } else {
        try {
          await this.parts.deliver(reference, notice.text);
        } catch (error) {
          await this.postpone(notice, error as Error);
          return false;
        }
      }
      await updateDocument<Outbox>(this.parts.store, OUTBOX_KEY, (outbox) =>
        outbox?.notices.some((n) => n.reviewId === notice.reviewId)
          ? { notices: outbox.notices.filter((n) => n.reviewId !== notice.reviewId) }
          : undefined,
      );
      return true;
    } finally {
      await this.parts.store.delete([lease]).catch(() => undefined);
    }
  }

  private async postpone(notice: Notice, error: Error): Promise<void> {
    const attempts = notice.attempts + 1;
    const dueAt = this.now() + this.delays[Math.min(attempts - 1, this.delays.length - 1)]!;
    this.parts.logger.warn(
      { review: notice.reviewId, attempts, err: { name: error.name, message: error.message } },
      'review notice not delivered; will try again',
    );
    await updateDocument<Outbox>(this.parts.store, OUTBOX_KEY, (outbox) =>
      outbox ? { notices: outbox.notices.map((n) => (n.reviewId === notice.reviewId ? { ...n, attempts, dueAt } : n)) } : undefined,
    );
  }
}
