/**
 * Where scored rehearsals are kept as evidence: one record per rehearsal, listed per learner, and
 * listed and filtered across learners for the tutor's review, by index, never by reading every record.
 * Memory, SQLite and Redis implement it, held to one conformance suite (`test/store-conformance.ts`).
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { SCORE_FLAGS, type ScoreFlag } from '../engine/score-flags.ts';

/** Where a record stands in the tutor's review (the reviews themselves are kept apart from the record). */
export const REVIEW_STATUSES = ['unreviewed', 'meets-standard', 'needs-another-attempt'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A filtered, paged listing; every filter is optional and they combine with "and". */
export interface EvidenceQuery {
  /** Only these learners' records (one learner, or a cohort's members). An empty list matches nothing. */
  learnerIds?: readonly string[];
  scenarioId?: string;
  problemType?: string;
  mode?: EvidenceRecord['mode'];
  reviewStatus?: ReviewStatus;
  /** Ended at or after this ISO instant. */
  endedFrom?: string;
  /** Ended before this ISO instant. */
  endedBefore?: string;
  /** Only records the scorer gave every one of these flags (`scoreFlagsOf`); none, or an empty list: no filter. */
  flags?: readonly ScoreFlag[];
  /**
   * Only records listed after this one (`positionOf` a record of the page before): a cursor, so a
   * tutor paging through finds every record once even as new ones arrive. The total still counts
   * every record that matches the filters; `offset` counts from here.
   */
  after?: ListingPosition;
  /** Records to skip, newest first (after `after`, if given); 0 when absent. */
  offset?: number;
  /** At most this many records (1–200). */
  limit: number;
}

/** A record's place in the listing order: its end time (an ISO instant) and its id. */
export interface ListingPosition {
  endedAt: string;
  id: string;
}

export interface EvidencePage {
  /** Newest first (by end time, then id). */
  records: EvidenceRecord[];
  /** How many records match the filters in all (wherever `after` and `offset` start the page), for paging. */
  total: number;
}

export const MAX_PAGE_SIZE = 200;

export interface EvidenceStore {
  /** Saves a record, replacing any with the same id (a reflection added after the debrief); its review status is kept. */
  save(record: EvidenceRecord): Promise<void>;
  get(id: string): Promise<EvidenceRecord | undefined>;
  /** This learner's records, newest first; never anyone else's. */
  listFor(learnerId: string): Promise<EvidenceRecord[]>;
  /** A page of the records that match, newest first. */
  list(query: EvidenceQuery): Promise<EvidencePage>;
  /** The record's review status ('unreviewed' until a tutor reviews it); undefined for no such record. */
  reviewStatusOf(id: string): Promise<ReviewStatus | undefined>;
  /** Sets the record's review status; false when there is no such record. */
  setReviewStatus(id: string, status: ReviewStatus): Promise<boolean>;
  /**
   * Files the stored record in the listings again, from the record as stored, never changing it:
   * for a save that may have been cut short after the record was written (Redis writes the record,
   * then its index). False when there is no such record.
   */
  refile(id: string): Promise<boolean>;
  /**
   * Deletes the record and removes it from every listing, count and index, with its review status
   * and anything the store set aside of it; true when there was such a record. Safe to call again
   * after a delete cut short (what was left of the record is removed then, and false returned), and
   * the id may be saved again afterwards as a new record.
   *
   * @remarks
   * For erasing a learner and for retention (`store/learner-erasure.ts`), which remove what hangs
   * off the record (its reviews, conversation reference, rehearsal log) first, and the record last.
   */
  delete(id: string): Promise<boolean>;
}

/**
 * The order of every listing: by end time (as instants, whatever offset the text carries), then by
 * id compared as code units (as SQLite and Redis compare them), both descending.
 */
export const newestFirst = (a: EvidenceRecord, b: EvidenceRecord) =>
  Date.parse(b.endedAt) - Date.parse(a.endedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The page a query asks for, checked as every store checks it: a limit of 1 to MAX_PAGE_SIZE and a
 * whole, non-negative offset, else a RangeError.
 */
export function pageOf(query: EvidenceQuery): { limit: number; offset: number } {
  const { limit, offset = 0 } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, not ${limit}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number, 0 or more, not ${offset}`);
  return { limit, offset };
}

/** A query's ISO instant (`endedFrom`, `endedBefore`, `after.endedAt`) as epoch milliseconds, the form stores order by; a RangeError if it is none. */
export function instantOf(name: string, iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be an ISO instant, such as 2026-11-23T10:00:00Z, not "${iso}"`);
  return ms;
}

/** Where the next page starts: after the last record of this one. */
export const positionOf = (record: EvidenceRecord): ListingPosition => ({ endedAt: record.endedAt, id: record.id });

/** A query's `after`, checked as every store checks it, with its end time as epoch milliseconds; a RangeError if it is not a position. */
export function positionAfter(query: EvidenceQuery): { endedAtMs: number; id: string } | undefined {
  if (query.after === undefined) return undefined;
  const { endedAt, id } = query.after;
  if (typeof id !== 'string') throw new RangeError(`after.id must be a record id, not ${JSON.stringify(id)}`);
  return { endedAtMs: instantOf('after.endedAt', endedAt), id };
}

/** True when the record comes after the position in the listing order (`newestFirst`). */
export const isAfter = (record: EvidenceRecord, position: { endedAtMs: number; id: string }) => {
  const endedAtMs = Date.parse(record.endedAt);
  return endedAtMs < position.endedAtMs || (endedAtMs === position.endedAtMs && record.id < position.id);
};

/**
 * The flags a query filters by, each once, in `SCORE_FLAGS` order (so equal filters are equal, for
 * a store that caches a statement per filter); a RangeError for a flag that is not one.
 */
export function flagsOf(query: EvidenceQuery): ScoreFlag[] {
  const asked = query.flags ?? [];
  for (const flag of asked)
    if (!(SCORE_FLAGS as readonly string[]).includes(flag))
      throw new RangeError(`"${flag}" is not a score flag; it may be ${SCORE_FLAGS.join(', ')}`);
  return SCORE_FLAGS.filter((flag) => asked.includes(flag));
}

/** Refuses, as every store does, a review status that is not one. */
export function checkReviewStatus(status: string): asserts status is ReviewStatus {
  if (!(REVIEW_STATUSES as readonly string[]).includes(status))
    throw new RangeError(`"${status}" is not a review status; it may be ${REVIEW_STATUSES.join(', ')}`);
}

/** The problem type a record is filed under: its scenario's, or 'unknown' for records from before it was kept. */
export const problemTypeOf = (record: EvidenceRecord) => record.scenario.problemType ?? 'unknown';
