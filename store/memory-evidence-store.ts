/** Evidence in memory: the fake for tests of the bot. */
import { EvidenceRecordSchema, type EvidenceRecord } from '../engine/evidence-record.ts';
import { newestFirst, type EvidenceStore } from './evidence-store.ts';

export class MemoryEvidenceStore implements EvidenceStore {
  private readonly records = new Map<string, EvidenceRecord>();

  async save(record: EvidenceRecord): Promise<void> {
    // Checked as the file store checks it, so the fake accepts exactly what the real store does.
    this.records.set(record.id, EvidenceRecordSchema.parse(structuredClone(record)));
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
}
