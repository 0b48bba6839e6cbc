/**
 * Where tutors' reviews are kept: appended, oldest first, one list per rehearsal, apart from the
 * scored record, which a review never changes. Kept in the same KeyValueStore as the bot's state
 * (SQLite, Redis or memory), with no time to live: a review is evidence, and lasts as long as it.
 */
import { TutorReviewSchema, type TutorReview } from '../engine/tutor-review.ts';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { reportToStderr, type SkippedItemReporter } from './skipped-item.ts';

interface ReviewList {
  reviews: unknown[];
}

export interface ReviewStore {
  /**
   * Adds a review to its rehearsal's list; an earlier review stays, superseded. A review whose id is
   * there already (the same submission sent twice) is not added again: false.
   */
  append(review: TutorReview): Promise<boolean>;
  /** A rehearsal's reviews, oldest first (the last is the current one). */
  reviewsOf(recordId: string): Promise<TutorReview[]>;
  /** The current review of each of these rehearsals that has one, in one read. */
  currentReviews(recordIds: readonly string[]): Promise<Map<string, TutorReview>>;
}

/**
 * Keyed by the record's id in a Redis hash tag, so a rehearsal's reviews sit in the slot of its log.
 * A review that no longer reads (written by a newer ServiceSim) is left out and named, never dropped.
 */
export const reviewsKeyOf = (recordId: string) => `review/{${recordId}}`;
const keyOf = reviewsKeyOf;

export class KeyValueReviewStore implements ReviewStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly skipped: SkippedItemReporter = reportToStderr,
  ) {}

  async append(review: TutorReview): Promise<boolean> {
    const checked = TutorReviewSchema.parse(review);
    let added = false;
    await updateDocument<ReviewList>(this.store, keyOf(checked.recordId), (list) => {
      added = !(list?.reviews ?? []).some((r) => (r as { id?: unknown }).id === checked.id);
      return added ? { reviews: [...(list?.reviews ?? []), checked] } : undefined;
    });
    return added;
  }

  async reviewsOf(recordId: string): Promise<TutorReview[]> {
    return (await this.currentAndPast([recordId])).get(recordId) ?? [];
  }

  async currentReviews(recordIds: readonly string[]): Promise<Map<string, TutorReview>> {
    const current = new Map<string, TutorReview>();
    for (const [id, reviews] of await this.currentAndPast(recordIds)) {
      const last = reviews.at(-1);
      if (last) current.set(id, last);
    }
    return current;
  }

  private async currentAndPast(recordIds: readonly string[]): Promise<Map<string, TutorReview[]>> {
    const unique = [...new Set(recordIds)];
    const items = unique.length === 0 ? {} : await this.store.read(unique.map(keyOf));
    const out = new Map<string, TutorReview[]>();
    for (const id of unique) {
      const list = items[keyOf(id)]?.value as ReviewList | undefined;
      const reviews: TutorReview[] = [];
      (list?.reviews ?? []).forEach((raw, i) => {
        const parsed = TutorReviewSchema.safeParse(raw);
        if (parsed.success && parsed.data.recordId === id) reviews.push(parsed.data);
        else this.skipped(`${keyOf(id)}#${i}`, parsed.success ? 'filed under another rehearsal' : 'not a review this version reads');
      });
      out.set(id, reviews);
    }
    return out;
  }
}
