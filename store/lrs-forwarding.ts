/**
 * Sends every rehearsal and every tutor review on to the learning record store, by wrapping the
 * evidence store and the review store: a record saved queues its `attempted` and `completed`
 * statements, a review signed queues its `reviewed` statement, in the xAPI outbox (which retries
 * while the LRS is down). Nothing else in the bot or the review pages needs to know an LRS exists.
 *
 * @remarks
 * The record or review is saved first, and only then queued: a learner's evidence never waits on,
 * or fails because of, the LRS. A queueing that fails (the store down at that moment) is logged
 * with the record's id; the statements can always be made again from the stored evidence
 * (`GET /api/export/xapi`). A record saved again (its reflection added) queues the same statement
 * ids, which the LRS keeps once.
 */
import type { Logger } from 'pino';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { xapiBatchesOf, type XapiOptions } from '../engine/xapi-statements.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { ReviewStore } from './review-store.ts';
import type { XapiOutbox } from './xapi-outbox.ts';

export interface LrsForwardingParts {
  outbox: XapiOutbox;
  /** The statements' options for a record: the site's address, dimension names, the learner's cohort. */
  optionsFor: (record: EvidenceRecord) => Promise<XapiOptions>;
  logger: Logger;
}

export class LrsForwarding {
  constructor(private readonly parts: LrsForwardingParts) {}

  /** The evidence store, queueing each record's statements once it is saved. */
  evidence(store: EvidenceStore): EvidenceStore {
    return new Proxy(store, {
      get: (target, name, receiver) => {
        if (name !== 'save') return Reflect.get(target, name, receiver) as unknown;
        return async (record: EvidenceRecord) => {
          await target.save(record);
          await this.queue(record, [], 'rehearsal');
        };
      },
    });
  }

  /**
   * The review store, queueing each review's statement once it is appended. A review sent again (a
   * sign-off retried after a fault that may have come before the queueing) is queued again: its
   * statement has the same id, so the LRS keeps it once.
   */
  reviews(store: ReviewStore, evidence: EvidenceStore): ReviewStore {
    return new Proxy(store, {
      get: (target, name, receiver) => {
        if (name !== 'append') return Reflect.get(target, name, receiver) as unknown;
        return async (review: TutorReview) => {
          const added = await target.append(review);
          const record = await evidence.get(review.recordId);
          if (record) await this.queue(record, [review], 'review');
          return added;
        };
      },
    });
  }

  private async queue(record: EvidenceRecord, reviews: TutorReview[], what: 'rehearsal' | 'review'): Promise<void> {
    try {
      const batches = xapiBatchesOf(record, reviews, await this.parts.optionsFor(record));
      // The rehearsal's batch comes first; a review's is the one after it.
      const batch = what === 'rehearsal' ? batches[0] : batches[1];
      if (batch) await this.parts.outbox.enqueue(batch);
    } catch (error) {
      this.parts.logger.error(
        { record: record.id, err: { name: (error as Error).name, message: (error as Error).message } },
        `xAPI statements for a ${what} not queued; GET /api/export/xapi still gives them`,
      );
    }
  }
}
