/**
 * Where scored rehearsals are kept as evidence: one record per rehearsal, listed per learner, and
 * listed and filtered across learners for the tutor's review, by index, never by reading every record.
 * Memory, SQLite and Redis implement it, held to one conformance suite (`test/store-conformance.ts`).
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';

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
  /** Records to skip, newest first; 0 when absent. */
  offset?: number;
  /** At most this many records (1–200). */
  limit: number;
}

export interface EvidencePage {
  /** Newest first (by end time, then id). */
  records: EvidenceRecord[];
  /** How many records match the filters in all, for paging. */
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

/** A query's ISO instant (`endedFrom`, `endedBefore`) as epoch milliseconds, the form stores order by; a RangeError if it is none. */
export function instantOf(name: string, iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be an ISO instant, such as 2026-11-23T10:00:00Z, not "${iso}"`);
  return ms;
}

/** Refuses, as every store does, a review status that is not one. */
export function checkReviewStatus(status: string): asserts status is ReviewStatus {
  if (!(REVIEW_STATUSES as readonly string[]).includes(status))
    throw new RangeError(`"${status}" is not a review status; it may be ${REVIEW_STATUSES.join(', ')}`);
}

/** The problem type a record is filed under: its scenario's, or 'unknown' for records from before it was kept. */
export const problemTypeOf = (record: EvidenceRecord) => record.scenario.problemType ?? 'unknown';
