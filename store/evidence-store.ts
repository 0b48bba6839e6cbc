/** Where scored rehearsals are kept as evidence: one record per rehearsal, listed per learner. */
import type { EvidenceRecord } from '../engine/evidence-record.ts';

export interface EvidenceStore {
  /** Saves a record, replacing any with the same id (a reflection added after the debrief). */
  save(record: EvidenceRecord): Promise<void>;
  get(id: string): Promise<EvidenceRecord | undefined>;
  /** This learner's records, newest first; never anyone else's. */
  listFor(learnerId: string): Promise<EvidenceRecord[]>;
}

export const newestFirst = (a: EvidenceRecord, b: EvidenceRecord) => b.endedAt.localeCompare(a.endedAt);
