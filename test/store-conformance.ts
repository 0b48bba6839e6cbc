/**
 * What every store must do, run against the embedded file stores and the in-memory fakes alike,
 * so a fake never lets a test pass that the real store would fail.
 */
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA_VERSION, type EvidenceRecord } from '../engine/evidence-record.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { ETagConflictError, type KeyValueStore } from '../store/key-value-store.ts';

export function keyValueStoreConformance(name: string, make: () => Promise<KeyValueStore>): void {
  describe(`${name}: key-value store`, () => {
    it('reads back what was written, with an eTag, and leaves out missing keys', async () => {
      const store = await make();
      const eTags = await store.write([{ key: 'conversation/a b/ü', value: { turns: [1, 2] } }]);
      const read = await store.read(['conversation/a b/ü', 'missing']);
      expect(Object.keys(read)).toEqual(['conversation/a b/ü']);
      expect(read['conversation/a b/ü']).toEqual({ value: { turns: [1, 2] }, eTag: eTags['conversation/a b/ü'] });
    });

    it("refuses a write whose eTag is stale, keeping the other writer's value", async () => {
      const store = await make();
      const first = await store.write([{ key: 'k', value: 1 }]);
      await store.write([{ key: 'k', value: 2, eTag: first.k }]);
      await expect(store.write([{ key: 'k', value: 3, eTag: first.k }])).rejects.toThrow(ETagConflictError);
      await expect(store.write([{ key: 'k', value: 3, eTag: first.k }])).rejects.toThrow(/eTag conflict/);
      expect((await store.read(['k'])).k?.value).toBe(2);
    });

    it('overwrites with "*" or no eTag, and refuses an eTag for an item that does not exist', async () => {
      const store = await make();
      await store.write([{ key: 'k', value: 1 }]);
      await store.write([{ key: 'k', value: 2, eTag: '*' }]);
      expect((await store.read(['k'])).k?.value).toBe(2);
      await expect(store.write([{ key: 'new', value: 1, eTag: 'made-up' }])).rejects.toThrow(ETagConflictError);
    });

    it('lets exactly one of two concurrent writers with the same eTag win', async () => {
      const store = await make();
      const { k } = await store.write([{ key: 'k', value: 0 }]);
      const results = await Promise.allSettled([1, 2].map((v) => store.write([{ key: 'k', value: v, eTag: k }])));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('deletes, and deleting what is not there is no error', async () => {
      const store = await make();
      await store.write([{ key: 'k', value: 1 }]);
      await store.delete(['k', 'never-there']);
      expect(await store.read(['k'])).toEqual({});
    });

    it('returns copies: changing what was read changes nothing stored', async () => {
      const store = await make();
      await store.write([{ key: 'k', value: { n: 1 } }]);
      const read = await store.read(['k']);
      (read.k!.value as { n: number }).n = 99;
      expect((await store.read(['k'])).k?.value).toEqual({ n: 1 });
    });
  });
}

export function evidenceRecord(overrides: Partial<EvidenceRecord> = {}): EvidenceRecord {
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: 'r1',
    learner: { id: 'tenant-1/learner-1', name: 'Sam' },
    scenario: { id: 'kettle-refund', title: 'Kettle' },
    mode: 'practice',
    startedAt: '2026-11-23T10:00:00.000Z',
    endedAt: '2026-11-23T10:10:00.000Z',
    endReason: 'agreed',
    turns: [
      { role: 'customer', text: 'Hello' },
      { role: 'learner', text: 'Hi, how can I help?' },
    ],
    report: { scenario: 'kettle-refund', dimensions: {}, turns: [], breaches: [], commitments: [] },
    customer: { kind: 'scripted', id: 'scripted-customer', version: '1' },
    scorer: { kind: 'rules', id: 'rules-scorer', version: '1' },
    ...overrides,
  };
}

export function evidenceStoreConformance(name: string, make: () => Promise<EvidenceStore>): void {
  describe(`${name}: evidence store`, () => {
    it('keeps a record and gives it back whole', async () => {
      const store = await make();
      const record = evidenceRecord();
      await store.save(record);
      expect(await store.get('r1')).toEqual(record);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('replaces a record saved again, as when the reflection is added', async () => {
      const store = await make();
      await store.save(evidenceRecord());
      await store.save(evidenceRecord({ reflection: 'I should have asked about the receipt first.' }));
      expect((await store.get('r1'))?.reflection).toBe('I should have asked about the receipt first.');
      expect(await store.listFor('tenant-1/learner-1')).toHaveLength(1);
    });

    it("lists a learner's own records, newest first, and nobody else's", async () => {
      const store = await make();
      await store.save(evidenceRecord({ id: 'old', endedAt: '2026-11-01T00:00:00.000Z' }));
      await store.save(evidenceRecord({ id: 'new', endedAt: '2026-11-20T00:00:00.000Z' }));
      await store.save(evidenceRecord({ id: 'theirs', learner: { id: 'tenant-1/learner-2' } }));
      expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['new', 'old']);
      expect(await store.listFor('nobody')).toEqual([]);
    });
  });
}
