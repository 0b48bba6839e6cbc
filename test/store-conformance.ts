/**
 * What every store must do, run against each real store (SQLite, Redis, Redis Cluster) and the
 * in-memory fakes alike, so a fake never lets a test pass that the real store would fail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA_VERSION, type EvidenceRecord } from '../engine/evidence-record.ts';
import type { EvidenceQuery, EvidenceStore } from '../store/evidence-store.ts';
import { ETagConflictError, writeAll, type KeyValueStore } from '../store/key-value-store.ts';

export function keyValueStoreConformance(name: string, make: () => Promise<KeyValueStore>): void {
  describe(`${name}: key-value store`, () => {
    it('reads back what was written, with an eTag, and leaves out missing keys', async () => {
      const store = await make();
      const eTags = await writeAll(store, [{ key: 'conversation/a b/ü', value: { turns: [1, 2] } }]);
      const read = await store.read(['conversation/a b/ü', 'missing']);
      expect(Object.keys(read)).toEqual(['conversation/a b/ü']);
      expect(read['conversation/a b/ü']).toEqual({ value: { turns: [1, 2] }, eTag: eTags['conversation/a b/ü'] });
    });

    it('keeps keys with hash tags, braces and all, apart from keys without', async () => {
      const store = await make();
      await writeAll(store, [
        { key: 'rehearsal/{r1}/2', value: 'two' },
        { key: 'rehearsal/{r1}/4', value: 'four' },
        { key: 'rehearsal/r1/2', value: 'untagged' },
      ]);
      const read = await store.read(['rehearsal/{r1}/2', 'rehearsal/{r1}/4', 'rehearsal/r1/2']);
      expect(Object.fromEntries(Object.entries(read).map(([k, v]) => [k, v.value]))).toEqual({
        'rehearsal/{r1}/2': 'two',
        'rehearsal/{r1}/4': 'four',
        'rehearsal/r1/2': 'untagged',
      });
    });

    it('never takes a key with a hash tag for the same key without one', async () => {
      const store = await make();
      await writeAll(store, [{ key: '{webchat/users/alice}', value: 'tagged' }]);
      await writeAll(store, [{ key: 'webchat/users/alice', value: 'plain' }]);
      const read = await store.read(['{webchat/users/alice}', 'webchat/users/alice']);
      expect([read['{webchat/users/alice}']?.value, read['webchat/users/alice']?.value]).toEqual(['tagged', 'plain']);
    });

    it('writes nothing of a batch with an entry that cannot be stored', async () => {
      const store = await make();
      await expect(
        store.write([
          { key: 'a', value: 1 },
          { key: 'b', value: 2, ttlMs: 0 },
        ]),
      ).rejects.toThrow(RangeError);
      await expect(
        store.write([
          { key: 'a', value: 1 },
          { key: 'b', value: undefined },
        ]),
      ).rejects.toThrow(TypeError);
      expect(await store.read(['a', 'b'])).toEqual({});
    });

    it("refuses a write whose eTag is stale, keeping the other writer's value", async () => {
      const store = await make();
      const first = await writeAll(store, [{ key: 'k', value: 1 }]);
      await writeAll(store, [{ key: 'k', value: 2, eTag: first.k }]);
      expect(await store.write([{ key: 'k', value: 3, eTag: first.k }])).toEqual({ k: { written: false, reason: 'eTag conflict' } });
      await expect(writeAll(store, [{ key: 'k', value: 3, eTag: first.k }])).rejects.toThrow(ETagConflictError);
      expect((await store.read(['k'])).k?.value).toBe(2);
    });

    it('overwrites with "*" or no eTag, and refuses an eTag for an item that does not exist', async () => {
      const store = await make();
      await writeAll(store, [{ key: 'k', value: 1 }]);
      await writeAll(store, [{ key: 'k', value: 2, eTag: '*' }]);
      expect((await store.read(['k'])).k?.value).toBe(2);
      expect((await store.write([{ key: 'new', value: 1, eTag: 'made-up' }])).new).toEqual({ written: false, reason: 'eTag conflict' });
      expect(await store.read(['new'])).toEqual({});
    });

    it('reports a batch key by key: what was written stays written, what was refused is named', async () => {
      const store = await make();
      const { b } = await writeAll(store, [{ key: 'b', value: 'old' }]);
      await writeAll(store, [{ key: 'b', value: 'newer', eTag: b }]);
      const outcomes = await store.write([
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'lost', eTag: b },
        { key: 'c', value: 'c1' },
      ]);
      expect(outcomes.a).toMatchObject({ written: true, eTag: expect.any(String) });
      expect(outcomes.b).toEqual({ written: false, reason: 'eTag conflict' });
      expect(outcomes.c).toMatchObject({ written: true });
      const read = await store.read(['a', 'b', 'c']);
      expect([read.a?.value, read.b?.value, read.c?.value]).toEqual(['a1', 'newer', 'c1']);
      const thrown = await writeAll(store, [
        { key: 'd', value: 1 },
        { key: 'b', value: 'lost', eTag: b },
      ]).catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(ETagConflictError);
      expect(thrown).toMatchObject({ key: 'b', written: ['d'] });
    });

    it('creates only what is not there yet', async () => {
      const store = await make();
      const first = await store.write([{ key: 'k', value: 'first', create: true }]);
      expect(first.k).toMatchObject({ written: true });
      expect(await store.write([{ key: 'k', value: 'second', create: true }])).toEqual({ k: { written: false, reason: 'exists' } });
      expect(await store.read(['k'])).toEqual({ k: { value: 'first', eTag: (first.k as { eTag: string }).eTag } });
    });

    it('lets exactly one of two concurrent writers with the same eTag win, and one of two creators', async () => {
      const store = await make();
      const { k } = await writeAll(store, [{ key: 'k', value: 0 }]);
      const racing = await Promise.all([1, 2, 3].map((v) => store.write([{ key: 'k', value: v, eTag: k }])));
      expect(racing.filter((r) => r.k?.written)).toHaveLength(1);
      const creating = await Promise.all([1, 2, 3].map((v) => store.write([{ key: 'fresh', value: v, create: true }])));
      expect(creating.filter((r) => r.fresh?.written)).toHaveLength(1);
    });

    it('forgets an item once its time to live has passed, and then lets it be created again', async () => {
      const store = await make();
      await writeAll(store, [
        { key: 'short', value: 1, ttlMs: 150 },
        { key: 'long', value: 2, ttlMs: 60_000 },
        { key: 'forever', value: 3 },
      ]);
      expect(Object.keys(await store.read(['short', 'long', 'forever'])).sort()).toEqual(['forever', 'long', 'short']);
      await sleep(400);
      expect(Object.keys(await store.read(['short', 'long', 'forever'])).sort()).toEqual(['forever', 'long']);
      expect((await store.write([{ key: 'short', value: 'again', create: true }])).short).toMatchObject({ written: true });
    });

    it('refuses a write with the eTag of an item that has since expired', async () => {
      const store = await make();
      const { k } = await writeAll(store, [{ key: 'k', value: 1, ttlMs: 150 }]);
      await sleep(400);
      expect((await store.write([{ key: 'k', value: 2, eTag: k! }])).k).toEqual({ written: false, reason: 'eTag conflict' });
      expect(await store.read(['k'])).toEqual({});
    });

    it('keeps an item for ever once it is written again without a time to live', async () => {
      const store = await make();
      await writeAll(store, [{ key: 'k', value: 1, ttlMs: 150 }]);
      await writeAll(store, [{ key: 'k', value: 2 }]);
      await sleep(400);
      expect((await store.read(['k'])).k?.value).toBe(2);
    });

    it('deletes, and deleting what is not there is no error', async () => {
      const store = await make();
      await writeAll(store, [{ key: 'k', value: 1 }]);
      await store.delete(['k', 'never-there']);
      expect(await store.read(['k'])).toEqual({});
    });

    it('deletes only an unchanged item when asked to', async () => {
      const store = await make();
      const { k } = await writeAll(store, [{ key: 'k', value: 1 }]);
      await writeAll(store, [{ key: 'k', value: 2 }]);
      expect(await store.deleteIfUnchanged('k', k!)).toBe(false);
      expect((await store.read(['k'])).k?.value).toBe(2);
      const current = (await store.read(['k'])).k!.eTag;
      expect(await store.deleteIfUnchanged('k', current)).toBe(true);
      expect(await store.read(['k'])).toEqual({});
      expect(await store.deleteIfUnchanged('never-there', current)).toBe(false);
    });

    it('returns copies: changing what was read or written changes nothing stored', async () => {
      const store = await make();
      const value = { n: 1 };
      await writeAll(store, [{ key: 'k', value }]);
      value.n = 2;
      const read = await store.read(['k']);
      (read.k!.value as { n: number }).n = 99;
      expect((await store.read(['k'])).k?.value).toEqual({ n: 1 });
    });

    it('keeps text of any size and kind as it was written', async () => {
      const store = await make();
      const value = { text: `“Quotes”, emoji 🙂, a NUL \u0000 and ${'long '.repeat(50_000)}`, n: [0, -1.5, null, true] };
      await writeAll(store, [{ key: 'big', value }]);
      expect((await store.read(['big'])).big?.value).toEqual(value);
    });
  });
}

export function evidenceRecord(overrides: Partial<EvidenceRecord> = {}): EvidenceRecord {
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: 'r1',
    learner: { id: 'tenant-1/learner-1', name: 'Sam' },
    scenario: { id: 'kettle-refund', title: 'Kettle', problemType: 'product' },
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

/**
 * Twelve records over three learners, two scenarios (two problem types), both modes, a fortnight
 * apart in pairs, two with the same end time (ordered by id then): enough to tell every filter apart.
 */
function varietyOfRecords(): EvidenceRecord[] {
  const scenarios = [
    { id: 'kettle-refund', title: 'Kettle', problemType: 'product' },
    { id: 'late-delivery', title: 'Late delivery', problemType: 'delivery' },
  ];
  return Array.from({ length: 12 }, (_, i) =>
    evidenceRecord({
      id: `rec-${String(i).padStart(2, '0')}`,
      learner: { id: `tenant-1/learner-${i % 3}` },
      scenario: scenarios[i % 2]!,
      mode: i % 4 === 0 ? 'assessment' : 'practice',
      // rec-10 and rec-11 end at the same moment.
      endedAt: new Date(Date.UTC(2026, 10, 1 + Math.min(i, 10))).toISOString(),
    }),
  );
}

/** What `list` must give for a query, worked out from the records by hand-written rules. */
function expectedPage(records: EvidenceRecord[], query: EvidenceQuery, statuses: Record<string, string>): { ids: string[]; total: number } {
  const matching = records
    .filter((r) => query.learnerIds === undefined || query.learnerIds.includes(r.learner.id))
    .filter((r) => query.scenarioId === undefined || r.scenario.id === query.scenarioId)
    .filter((r) => query.problemType === undefined || r.scenario.problemType === query.problemType)
    .filter((r) => query.mode === undefined || r.mode === query.mode)
    .filter((r) => query.reviewStatus === undefined || (statuses[r.id] ?? 'unreviewed') === query.reviewStatus)
    .filter((r) => query.endedFrom === undefined || Date.parse(r.endedAt) >= Date.parse(query.endedFrom))
    .filter((r) => query.endedBefore === undefined || Date.parse(r.endedAt) < Date.parse(query.endedBefore))
    .sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt) || (a.id < b.id ? 1 : -1));
  const offset = query.offset ?? 0;
  return { ids: matching.slice(offset, offset + query.limit).map((r) => r.id), total: matching.length };
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

    it('replaces a record saved again, as when the reflection is added, keeping its review status', async () => {
      const store = await make();
      await store.save(evidenceRecord());
      expect(await store.setReviewStatus('r1', 'meets-standard')).toBe(true);
      await store.save(evidenceRecord({ reflection: 'I should have asked about the receipt first.' }));
      expect((await store.get('r1'))?.reflection).toBe('I should have asked about the receipt first.');
      expect(await store.listFor('tenant-1/learner-1')).toHaveLength(1);
      expect(await store.reviewStatusOf('r1')).toBe('meets-standard');
      expect((await store.list({ limit: 10 })).total).toBe(1);
    });

    it("lists a learner's own records, newest first, and nobody else's", async () => {
      const store = await make();
      await store.save(evidenceRecord({ id: 'old', endedAt: '2026-11-01T00:00:00.000Z' }));
      await store.save(evidenceRecord({ id: 'new', endedAt: '2026-11-20T00:00:00.000Z' }));
      await store.save(evidenceRecord({ id: 'theirs', learner: { id: 'tenant-1/learner-2' } }));
      expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['new', 'old']);
      expect(await store.listFor('nobody')).toEqual([]);
    });

    it('gives each record a review status, unreviewed until set, and none for a record it does not have', async () => {
      const store = await make();
      await store.save(evidenceRecord());
      expect(await store.reviewStatusOf('r1')).toBe('unreviewed');
      expect(await store.setReviewStatus('r1', 'needs-another-attempt')).toBe(true);
      expect(await store.reviewStatusOf('r1')).toBe('needs-another-attempt');
      expect(await store.setReviewStatus('nope', 'meets-standard')).toBe(false);
      expect(await store.reviewStatusOf('nope')).toBeUndefined();
    });

    it('files a stored record again without changing it, and says when there is none', async () => {
      const store = await make();
      await store.save(evidenceRecord({ reflection: 'Saved by the learner.' }));
      expect(await store.refile('r1')).toBe(true);
      expect(await store.get('r1')).toMatchObject({ reflection: 'Saved by the learner.' });
      expect((await store.list({ limit: 5 })).records.map((r) => r.id)).toEqual(['r1']);
      expect(await store.refile('nope')).toBe(false);
    });

    it('files a record from before problem types were kept under "unknown"', async () => {
      const store = await make();
      await store.save(evidenceRecord({ scenario: { id: 'old-one', title: 'Old' } }));
      expect((await store.list({ problemType: 'unknown', limit: 5 })).records.map((r) => r.id)).toEqual(['r1']);
    });

    it('lists and filters across learners, newest first, paged, with the total of all that match', async () => {
      const store = await make();
      const records = varietyOfRecords();
      // Saved in a shuffled order: the store, not the saving, must put them in order.
      for (const i of [5, 0, 11, 3, 8, 1, 10, 6, 2, 9, 4, 7]) await store.save(records[i]!);
      const statuses = { 'rec-03': 'meets-standard', 'rec-06': 'needs-another-attempt', 'rec-09': 'meets-standard' };
      for (const [id, status] of Object.entries(statuses)) await store.setReviewStatus(id, status as 'meets-standard');
      const queries: EvidenceQuery[] = [
        { limit: 50 },
        { limit: 5 },
        { limit: 5, offset: 5 },
        { limit: 5, offset: 10 },
        { limit: 5, offset: 20 },
        { learnerIds: ['tenant-1/learner-1'], limit: 50 },
        { learnerIds: ['tenant-1/learner-0', 'tenant-1/learner-2'], limit: 3, offset: 1 },
        { learnerIds: [], limit: 50 },
        { learnerIds: ['nobody'], limit: 50 },
        { scenarioId: 'late-delivery', limit: 50 },
        { problemType: 'product', limit: 50 },
        { mode: 'assessment', limit: 50 },
        { reviewStatus: 'unreviewed', limit: 50 },
        { reviewStatus: 'meets-standard', limit: 50 },
        { endedFrom: '2026-11-04T00:00:00.000Z', endedBefore: '2026-11-08T00:00:00.000Z', limit: 50 },
        { endedFrom: '2026-11-11T00:00:00.000Z', limit: 50 },
        { endedBefore: '2026-11-03T00:00:00.000Z', limit: 50 },
        { learnerIds: ['tenant-1/learner-0', 'tenant-1/learner-1'], problemType: 'product', mode: 'practice', limit: 50 },
        { scenarioId: 'kettle-refund', reviewStatus: 'unreviewed', endedFrom: '2026-11-03T00:00:00.000Z', limit: 2, offset: 1 },
      ];
      for (const query of queries) {
        const page = await store.list(query);
        expect({ query, ids: page.records.map((r) => r.id), total: page.total }).toEqual({
          query,
          ...expectedPage(records, query, statuses),
        });
      }
      // A status change moves the record between filters at once.
      await store.setReviewStatus('rec-03', 'unreviewed');
      expect((await store.list({ reviewStatus: 'meets-standard', limit: 50 })).records.map((r) => r.id)).toEqual(['rec-09']);
    });

    it('gives whole records from a listing, and refuses a page size it cannot serve', async () => {
      const store = await make();
      const record = evidenceRecord({ reflection: 'Asked too few questions.' });
      await store.save(record);
      expect((await store.list({ limit: 1 })).records).toEqual([record]);
      await expect(store.list({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.list({ limit: 201 })).rejects.toThrow(RangeError);
    });

    it('refuses a record that is not evidence, keeping nothing of it', async () => {
      const store = await make();
      await expect(store.save({ ...evidenceRecord(), endedAt: 'yesterday' })).rejects.toThrow();
      expect(await store.get('r1')).toBeUndefined();
      expect((await store.list({ limit: 5 })).total).toBe(0);
    });
  });
}
