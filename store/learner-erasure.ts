/**
 * Erasing a learner, or some rehearsal records, from every store: the records and everything kept
 * about them (tutors' reviews, the conversation each was held in, review notices waiting to be sent
 * and the marks of those sent, rehearsal logs), and, for a learner, their bot state (with any
 * rehearsal under way and its log), their place in tutors' lists and what other parts hold
 * (`LearnerDataHolder`, called before the records go). Each erasure is audited.
 *
 * @remarks
 * Safe to run again after a fault part way, and then it finishes the job: what hangs off a record
 * is removed before the record, so a record still stored still leads to all of it; and the ids
 * being erased are written first to a journal (`erasure/pending`: record ids only, never a
 * learner's), so a record whose delete was cut short (Redis removes a record, then its index) is
 * finished by the next erasure or retention run, whoever starts it.
 *
 * The keys of what hangs off a record are listed in `KEPT_ABOUT_A_RECORD` below, as their owners
 * write them; `test/data-protection.test.ts` writes each through its owner and checks that nothing
 * is left, so a key changed there without changing it here fails that test.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { learnerReference, type AuditEntry, type AuditLog } from './audit-log.ts';
import { updateDocument } from './document-update.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { ConversationReferences, conversationReferenceKeyOf } from './conversation-references.ts';
import { logKeysOf } from './rehearsal-log.ts';
import { reviewsKeyOf } from './review-store.ts';
import { TutorDirectory } from './tutor-directory.ts';
import { discardQueuedFor } from './xapi-outbox.ts';

/**
 * Something else that keeps data about learners (cohort memberships, a learner's name, queued xAPI
 * statements): the erasure calls each it is given, before the learner's records are deleted.
 */
export interface LearnerDataHolder {
  /** What it holds, in words, for the erasure's counts: "cohort memberships". */
  readonly name: string;
  /**
   * Removes what it holds about the learner and their records (their ids, while they still exist);
   * returns how many items it removed. Called again, with the records that are left, if the erasure
   * is run again after a fault, so it must be safe to repeat.
   */
  eraseLearner(learnerId: string, recordIds: readonly string[]): Promise<number /* items removed */>;
}

/** How much was removed, by kind. */
export interface ErasureCounts {
  records: number;
  /** Tutors' reviews (each signed review, not each rehearsal's list of them). */
  reviews: number;
  conversationReferences: number;
  /** Review notices still waiting to be sent to the learner. */
  reviewNotices: number;
  /** Marks that a notice was sent, and leases of notices being sent. */
  noticeMarks: number;
  rehearsalLogEntries: number;
  /** xAPI statements about the records still queued for the learning record store. */
  queuedStatements: number;
  /** The learner's bot state: their profile, their conversations' state, messages waiting for the local page. */
  botState: number;
  /** Tutors who had the learner in their list. */
  tutorAssignments: number;
  /** Audit entries that named the learner, now naming their `learnerReference`. */
  auditEntriesPseudonymised: number;
  /** By each holder's name. */
  held: Record<string, number>;
}

export interface ErasureOutcome {
  counts: ErasureCounts;
  entry: AuditEntry;
}

export interface ErasureParts {
  evidence: EvidenceStore;
  /** The KeyValueStore the bot keeps its state, reviews and references in. */
  state: KeyValueStore;
  audit: AuditLog;
  holders?: readonly LearnerDataHolder[];
  /** Run after each erasure: makes what was deleted unreadable on disk where the store can (SQLite's write-ahead log). */
  afterErasure?: () => Promise<void>;
}

/** What an erasure of the learner would remove, for an admin to confirm. */
export interface ErasurePreview {
  records: number;
  reviews: number;
  tutorAssignments: number;
}

/**
 * Where each thing about a record is kept, as its owner writes it (see the file's header).
 * The review notices' outbox is 16 documents; a queued notice names its record and review.
 */
const KEPT_ABOUT_A_RECORD = {
  reviews: reviewsKeyOf,
  conversationReference: conversationReferenceKeyOf,
  // bot/ owns these; the store cannot import it.
  outboxParts: Array.from({ length: 16 }, (_, i) => `review-notices/outbox/${i}`), // bot/review-notices.ts
  noticeDelivered: (reviewId: string) => `review-notice-delivered/{${reviewId}}`, // bot/review-notices.ts
  noticeLease: (reviewId: string) => `review-notice-lease/${reviewId}`, // bot/review-notices.ts
};

/** Bot state and local page messages of a conversation a record was held in (bot/bot-storage.ts, botbuilder's state keys, bot/local-mailbox.ts). */
function botStateKeysOf(reference: unknown): string[] {
  const { channelId, user, conversation } = (reference ?? {}) as {
    channelId?: unknown;
    user?: { id?: unknown };
    conversation?: { id?: unknown };
  };
  if (typeof channelId !== 'string') return [];
  const keys: string[] = [];
  // botbuilder's UserState and ConversationState keys, with their (empty) namespace after the last slash.
  if (typeof user?.id === 'string') keys.push(`${channelId}/users/${user.id}/`);
  if (typeof conversation?.id === 'string')
    keys.push(`${channelId}/conversations/${conversation.id}/`, `local-mailbox/{${conversation.id}}`);
  return keys;
}

/**
 * The log keys of rehearsals under way in a conversation's state: the rehearsal dialog keeps its
 * `rehearsalId` and its rehearsal's `turnCount` (dialogs/rehearsal-dialog.ts), looked for anywhere
 * in the state so a change of dialog stack does not hide them.
 */
function rehearsalsUnderWayIn(state: unknown, depth = 0): string[] {
  if (state === null || typeof state !== 'object' || depth > 12) return [];
  const { rehearsalId, rehearsal } = state as { rehearsalId?: unknown; rehearsal?: { turnCount?: unknown } };
  const own =
    typeof rehearsalId === 'string' ? logKeysOf(rehearsalId, (typeof rehearsal?.turnCount === 'number' ? rehearsal.turnCount : 0) + 2) : [];
  return [...own, ...Object.values(state).flatMap((value) => rehearsalsUnderWayIn(value, depth + 1))];
}

const JOURNAL_KEY = 'erasure/pending';
interface Journal {
  recordIds: string[];
}

/** Records erased per round: one read of each kind of thing per round, whatever the number of records. */
const BATCH = 50;

interface QueuedNotice {
  reviewId?: unknown;
  recordId?: unknown;
}

export class LearnerErasure {
  private readonly holders: readonly LearnerDataHolder[];

  constructor(private readonly parts: ErasureParts) {
    this.holders = parts.holders ?? [];
    const names = this.holders.map((h) => h.name);
    if (new Set(names).size !== names.length) throw new Error(`each LearnerDataHolder needs a name of its own; given ${names.join(', ')}`);
  }

  /** What `eraseLearner` would remove from the evidence and the tutors' lists (holders are not asked). */
  async preview(learnerId: string): Promise<ErasurePreview> {
    const records = await this.parts.evidence.listFor(learnerId);
    const reviews = await this.parts.state.read(records.map((r) => KEPT_ABOUT_A_RECORD.reviews(r.id)));
    const tutors = await new TutorDirectory(this.parts.state).list();
    return {
      records: records.length,
      reviews: Object.values(reviews).reduce((sum, item) => sum + reviewIdsIn(item.value).length, 0),
      tutorAssignments: tutors.filter((t) => t.learners.includes(learnerId)).length,
    };
  }

  /**
   * Erases everything kept about the learner (see the file's header) and audits it, naming the
   * learner by `learnerReference` only. `who`: the admin's email, `cli:<account>`, or
   * `learner:<id>` for the learner's own request.
   */
  async eraseLearner(learnerId: string, who: string): Promise<ErasureOutcome> {
    if (learnerId.trim() === '') throw new RangeError('a learner id is needed to erase a learner');
    const counts = emptyCounts();
    addCounts(counts, await this.finishLeftOver());
    const records = await this.parts.evidence.listFor(learnerId);
    const recordIds = records.map((r) => r.id);
    await this.journal(recordIds, 'add');
    counts.botState = await this.eraseBotState(learnerId, recordIds);
    counts.tutorAssignments = await this.eraseTutorAssignments(learnerId);
    for (const holder of this.holders) counts.held[holder.name] = await holder.eraseLearner(learnerId, recordIds);
    addCounts(counts, await this.eraseInBatches(recordIds));
    await this.journal(recordIds, 'remove');
    counts.auditEntriesPseudonymised = await this.parts.audit.forgetLearner(learnerId);
    await this.parts.afterErasure?.();
    const entry = await this.parts.audit.record({
      who: who === `learner:${learnerId}` ? learnerReference(learnerId) : who,
      action: 'erase',
      subject: learnerReference(learnerId),
      detail: describeCounts(counts),
    });
    return { counts, entry };
  }

  /**
   * Erases these records and everything kept about them (not the learners' bot state or other
   * holdings: a learner whose old records pass the retention period is still a learner). Audited
   * as one entry about `all` for retention, or about the records' count for an erasure, unless
   * `audit` is false (retention audits its whole run as one entry).
   */
  async eraseRecords(
    recordIds: readonly string[],
    who: string,
    action: 'erase' | 'retention',
    { audit = true }: { audit?: boolean } = {},
  ): Promise<{ counts: ErasureCounts; entry?: AuditEntry }> {
    const counts = emptyCounts();
    addCounts(counts, await this.finishLeftOver());
    const ids = [...new Set(recordIds)];
    await this.journal(ids, 'add');
    addCounts(counts, await this.eraseInBatches(ids));
    await this.journal(ids, 'remove');
    await this.parts.afterErasure?.();
    if (!audit) return { counts };
    const entry = await this.parts.audit.record({
      who,
      action,
      subject: action === 'retention' ? 'all' : `${ids.length} record${ids.length === 1 ? '' : 's'}`,
      detail: describeCounts(counts),
    });
    return { counts, entry };
  }

  /** Finishes the records an earlier erasure left in the journal (cut short by a fault). */
  private async finishLeftOver(): Promise<ErasureCounts> {
    const left = ((await this.parts.state.read([JOURNAL_KEY]))[JOURNAL_KEY]?.value as Journal | undefined)?.recordIds ?? [];
    const ids = left.filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return emptyCounts();
    const counts = await this.eraseInBatches(ids);
    await this.journal(ids, 'remove');
    return counts;
  }

  private async journal(recordIds: readonly string[], change: 'add' | 'remove'): Promise<void> {
    if (recordIds.length === 0) return;
    await updateDocument<Journal>(this.parts.state, JOURNAL_KEY, (current) => {
      const ids = new Set(Array.isArray(current?.recordIds) ? current.recordIds : []);
      const before = ids.size;
      for (const id of recordIds)
        if (change === 'add') ids.add(id);
        else ids.delete(id);
      if (ids.size === before && current !== undefined) return undefined;
      return { recordIds: [...ids] };
    });
  }

  private async eraseInBatches(recordIds: readonly string[]): Promise<ErasureCounts> {
    const counts = emptyCounts();
    for (let start = 0; start < recordIds.length; start += BATCH)
      addCounts(counts, await this.eraseBatch(recordIds.slice(start, start + BATCH)));
    return counts;
  }

  /** One batch of records: first everything kept about them, then the records. */
  private async eraseBatch(recordIds: readonly string[]): Promise<ErasureCounts> {
    const { state, evidence } = this.parts;
    const counts = emptyCounts();
    const wanted = new Set(recordIds);
    const records = (await Promise.all(recordIds.map((id) => evidence.get(id)))).filter((r): r is EvidenceRecord => r !== undefined);

    // The notices' marks are found from the reviews and the queue, so they go before either.
    const reviewDocuments = await state.read(recordIds.map(KEPT_ABOUT_A_RECORD.reviews));
    const outbox = await state.read(KEPT_ABOUT_A_RECORD.outboxParts);
    const queued = Object.values(outbox).flatMap((item) => noticesIn(item.value).filter((n) => wanted.has(n.recordId as string)));
    const reviewIds = new Set([
      ...Object.values(reviewDocuments).flatMap((item) => reviewIdsIn(item.value)),
      ...queued.map((n) => n.reviewId).filter((id): id is string => typeof id === 'string'),
    ]);
    counts.noticeMarks = await this.deleteCounting(
      [...reviewIds].flatMap((id) => [KEPT_ABOUT_A_RECORD.noticeDelivered(id), KEPT_ABOUT_A_RECORD.noticeLease(id)]),
    );
    for (const [part, item] of Object.entries(outbox)) {
      if (!noticesIn(item.value).some((n) => wanted.has(n.recordId as string))) continue;
      let removed = 0;
      await updateDocument<{ notices: unknown[] }>(state, part, (current) => {
        const notices = noticesIn(current);
        const kept = notices.filter((n) => !wanted.has(n.recordId as string));
        removed = notices.length - kept.length;
        return removed > 0 ? { ...current, notices: kept } : undefined;
      });
      counts.reviewNotices += removed;
    }

    counts.reviews = Object.values(reviewDocuments).reduce((sum, item) => sum + reviewIdsIn(item.value).length, 0);
    await state.delete(recordIds.map(KEPT_ABOUT_A_RECORD.reviews));
    counts.conversationReferences = await this.deleteCounting(recordIds.map(KEPT_ABOUT_A_RECORD.conversationReference));
    // A rehearsal's log is removed once its record is saved; any left (a removal that failed) goes now.
    counts.rehearsalLogEntries = await this.deleteCounting(records.flatMap((r) => logKeysOf(r.id, r.turns.length + 2)));

    // Statements waiting for the learning record store, whether or not one is configured now.
    for (const id of recordIds) counts.queuedStatements += await discardQueuedFor(state, id);

    // Last: while the record is stored, an erasure run again finds everything above through it.
    for (const id of recordIds) if (await evidence.delete(id)) counts.records += 1;
    return counts;
  }

  /**
   * The learner's bot state, found through the conversations their records were held in and every
   * one they started a rehearsal or joined a cohort in (one left with a rehearsal unfinished has no
   * record, and one where they only joined a cohort neither); before the references go.
   */
  private async eraseBotState(learnerId: string, recordIds: readonly string[]): Promise<number> {
    let removed = 0;
    const theirs = await new ConversationReferences(this.parts.state).allOfLearner(learnerId);
    for (let start = 0; start === 0 || start < recordIds.length; start += BATCH) {
      const references = await this.parts.state.read(recordIds.slice(start, start + BATCH).map(KEPT_ABOUT_A_RECORD.conversationReference));
      const referenced = [...Object.values(references).map((item) => item.value), ...(start === 0 ? theirs : [])];
      const keys = [...new Set(referenced.flatMap((reference) => botStateKeysOf(reference)))];
      // A rehearsal under way in one of those conversations has a log (the learner's words) and no record yet: it goes first.
      const state = await this.parts.state.read(keys);
      await this.deleteCounting(Object.values(state).flatMap((item) => rehearsalsUnderWayIn(item.value)));
      removed += await this.deleteCounting(keys);
    }
    return removed;
  }

  private async eraseTutorAssignments(learnerId: string): Promise<number> {
    const directory = new TutorDirectory(this.parts.state);
    let removed = 0;
    for (const tutor of await directory.list())
      if (tutor.learners.includes(learnerId)) {
        await directory.changeLearners(tutor.email, { remove: [learnerId] });
        removed += 1;
      }
    return removed;
  }

  /** Deletes the keys; returns how many of them were there. */
  private async deleteCounting(keys: readonly string[]): Promise<number> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return 0;
    const present = Object.keys(await this.parts.state.read(unique));
    await this.parts.state.delete(unique);
    return present.length;
  }
}

/** The ids of the reviews in a rehearsal's list of reviews, as stored (read loosely: a review this version cannot read is erased too). */
function reviewIdsIn(value: unknown): string[] {
  const reviews = (value as { reviews?: unknown } | null)?.reviews;
  if (!Array.isArray(reviews)) return [];
  return reviews.map((r) => (r as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
}

function noticesIn(value: unknown): QueuedNotice[] {
  const notices = (value as { notices?: unknown } | null)?.notices;
  return Array.isArray(notices) ? (notices as QueuedNotice[]) : [];
}

/** Counts of nothing erased yet, to add to. */
export function emptyCounts(): ErasureCounts {
  return {
    records: 0,
    reviews: 0,
    conversationReferences: 0,
    reviewNotices: 0,
    noticeMarks: 0,
    rehearsalLogEntries: 0,
    queuedStatements: 0,
    botState: 0,
    tutorAssignments: 0,
    auditEntriesPseudonymised: 0,
    held: {},
  };
}

/** Adds `more` into `total`. */
export function addCounts(total: ErasureCounts, more: ErasureCounts): void {
  for (const key of Object.keys(total) as (keyof ErasureCounts)[]) if (key !== 'held') total[key] += more[key];
  for (const [name, n] of Object.entries(more.held)) total.held[name] = (total.held[name] ?? 0) + n;
}

/** The counts in words, for the audit entry and the command line: "rehearsal records: 3, reviews: 2", or "nothing". */
export function describeCounts(counts: ErasureCounts): string {
  const parts: [number, string][] = [
    [counts.records, 'rehearsal records'],
    [counts.reviews, 'reviews'],
    [counts.conversationReferences, 'conversation references'],
    [counts.reviewNotices, 'review notices waiting'],
    [counts.noticeMarks, 'review notice marks'],
    [counts.rehearsalLogEntries, 'rehearsal log entries'],
    [counts.queuedStatements, 'xAPI statements queued'],
    [counts.botState, 'bot state items'],
    [counts.tutorAssignments, 'tutor assignments'],
    [counts.auditEntriesPseudonymised, 'audit entries pseudonymised'],
    ...Object.entries(counts.held).map(([name, n]): [number, string] => [n, name]),
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${what}: ${n}`);
  return said.length > 0 ? said.join(', ') : 'nothing';
}
