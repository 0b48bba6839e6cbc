/** Evidence in memory: the fake for tests of the bot, held to the same conformance suite as the real stores. */
import { EvidenceRecordSchema, type EvidenceRecord } from '../engine/evidence-record.ts';
import { scoreFlagsOf, type ScoreFlag } from '../engine/score-flags.ts';
import {
  checkReviewStatus,
  flagsOf,
  instantOf,
  isAfter,
  pageOf,
  newestFirst,
  positionAfter,
  problemTypeOf,
  type EvidencePage,
  type EvidenceQuery,
  type EvidenceStore,
  type ReviewStatus,
} from './evidence-store.ts';

export class MemoryEvidenceStore implements EvidenceStore {
  private readonly records = new Map<string, EvidenceRecord>();
  private readonly statuses = new Map<string, ReviewStatus>();
  /** The flags each record is filed under, decided when it is saved, as the real stores decide them. */
  private readonly flags = new Map<string, readonly ScoreFlag[]>();

  async save(record: EvidenceRecord): Promise<void> {
    // Checked as the real stores check it, so the fake accepts exactly what they do.
    const parsed = EvidenceRecordSchema.parse(structuredClone(record));
    this.records.set(parsed.id, parsed);
    this.flags.set(parsed.id, scoreFlagsOf(parsed.report));
  }

  async get(id: string): Promise<EvidenceRecord | undefined> {
    const record = this.records.get(id);
    return record && structuredClone(record);
  }

  async listFor(learnerId: string): Promise<EvidenceRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.learner.id === learnerId)
      .map((r) => structuredClone(r))
      .sort(newestFirst);
  }

  async list(query: EvidenceQuery): Promise<EvidencePage> {
    const { limit, offset } = pageOf(query);
    const from = query.endedFrom === undefined ? -Infinity : instantOf('endedFrom', query.endedFrom);
    const before = query.endedBefore === undefined ? Infinity : instantOf('endedBefore', query.endedBefore);
    const flags = flagsOf(query);
    const after = positionAfter(query);
    const matching = [...this.records.values()]
      .filter(
        (r) =>
          (query.learnerIds === undefined || query.learnerIds.includes(r.learner.id)) &&
          (query.scenarioId === undefined || r.scenario.id === query.scenarioId) &&
          (query.problemType === undefined || problemTypeOf(r) === query.problemType) &&
          (query.mode === undefined || r.mode === query.mode) &&
          (query.reviewStatus === undefined || (this.statuses.get(r.id) ?? 'unreviewed') === query.reviewStatus) &&
          Date.parse(r.endedAt) >= from &&
          Date.parse(r.endedAt) < before &&
          flags.every((flag) => this.flags.get(r.id)?.includes(flag)),
      )
      .sort(newestFirst);
    const listed = after === undefined ? matching : matching.filter((r) => isAfter(r, after));
    return { records: listed.slice(offset, offset + limit).map((r) => structuredClone(r)), total: matching.length };
  }

  async reviewStatusOf(id: string): Promise<ReviewStatus | undefined> {
    return this.records.has(id) ? (this.statuses.get(id) ?? 'unreviewed') : undefined;
  }

  /** Saves here are whole: a stored record is always listed. */
  async refile(id: string): Promise<boolean> {
    return this.records.has(id);
  }

  async delete(id: string): Promise<boolean> {
    this.statuses.delete(id);
    this.flags.delete(id);
    return this.records.delete(id);
  }

  async setReviewStatus(id: string, status: ReviewStatus): Promise<boolean> {
    checkReviewStatus(status);
    if (!this.records.has(id)) return false;
    this.statuses.set(id, status);
    return true;
  }
}
