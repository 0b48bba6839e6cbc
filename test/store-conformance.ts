/**
 * What every store must do, run against each real store (SQLite, Redis, Redis Cluster) and the
 * in-memory fakes alike, so a fake never lets a test pass that the real store would fail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA_VERSION, type EvidenceRecord } from '../engine/evidence-record.ts';
import { scoreFlagsOf, type ScoreFlag } from '../engine/score-flags.ts';
import type { ScoreReport } from '../engine/score-report.ts';
import { positionOf, type EvidenceQuery, type EvidenceStore } from '../store/evidence-store.ts';
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
 * A report with these dimension levels (null: no occasion for it) and this many authority breaches,
 * for the score flags it earns (`scoreFlagsOf`).
 */
export function reportWith(levels: readonly (number | null)[], breaches = 0): ScoreReport {
  return {
    scenario: 'kettle-refund',
    dimensions: Object.fromEntries(levels.map((level, i) => [`dimension-${i}`, { level, max: 3, evidence: [], suggestion: 'Ask first.' }])),
    turns: [],
    breaches: Array.from({ length: breaches }, (_, i) => ({
      turn: i + 1,
      quote: "I'll refund you twice over.",
      action: 'refund' as const,
      rule: 'Refunds over £50 need a supervisor.',
    })),
    commitments: [],
  };
}

/** A report levelling the named dimensions (null: no occasion), with this many authority breaches. */
export function reportWithLevels(levels: Record<string, number | null>, breaches = 0): ScoreReport {
  const report = reportWith(Object.values(levels), breaches);
  report.dimensions = Object.fromEntries(Object.keys(levels).map((name, i) => [name, report.dimensions[`dimension-${i}`]!]));
  return report;
}

/** Reports earning each combination of flags the listing tests need. */
const REPORTS = {
  none: reportWith([2, 1, null]),
  breach: reportWith([2, 2], 1),
  veryLow: reportWith([0, 1, 0, null]),
  breachVeryLow: reportWith([0, 0], 2),
  veryHigh: reportWith([3, 3, null]),
  // Every level at 3, but a breach: not very high.
  breachAllThrees: reportWith([3, 3], 1),
};

/**
 * Twelve records over three learners, two scenarios (two problem types), both modes, a fortnight
 * apart in pairs, two with the same end time (ordered by id then), with reports earning every
 * combination of flags: enough to tell every filter apart.
 */
function varietyOfRecords(): EvidenceRecord[] {
  const reports = Object.values(REPORTS);
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
      report: reports[(i * 5) % reports.length]!,
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
    .filter((r) => (query.flags ?? []).every((flag) => scoreFlagsOf(r.report).includes(flag)))
    .sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt) || (a.id < b.id ? 1 : -1));
  const { after } = query;
  const listed =
    after === undefined
      ? matching
      : matching.filter(
          (r) =>
            Date.parse(r.endedAt) < Date.parse(after.endedAt) || (Date.parse(r.endedAt) === Date.parse(after.endedAt) && r.id < after.id),
        );
  const offset = query.offset ?? 0;
  return { ids: listed.slice(offset, offset + query.limit).map((r) => r.id), total: matching.length };
}

/** Every record of a listing, read a page at a time by position, with `between` run before each page but the first. */
async function pageThrough(
  store: EvidenceStore,
  query: Omit<EvidenceQuery, 'after'>,
  between: (page: number) => Promise<void> = async () => undefined,
): Promise<{ pages: string[][]; totals: number[] }> {
  const pages: string[][] = [];
  const totals: number[] = [];
  let after: EvidenceQuery['after'];
  for (;;) {
    if (pages.length > 0) await between(pages.length);
    const page = await store.list({ ...query, ...(after ? { after } : {}) });
    if (page.records.length === 0) return { pages, totals };
    pages.push(page.records.map((r) => r.id));
    totals.push(page.total);
    after = positionOf(page.records.at(-1)!);
  }
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
        { flags: [], limit: 50 },
        { flags: ['authority-breach'], limit: 50 },
        { flags: ['very-low'], limit: 50 },
        { flags: ['very-high'], limit: 50 },
        { flags: ['authority-breach', 'very-low'], limit: 50 },
        { flags: ['very-low', 'authority-breach', 'very-low'], limit: 2, offset: 1 },
        { flags: ['very-high', 'authority-breach'], limit: 50 },
        { flags: ['authority-breach'], learnerIds: ['tenant-1/learner-0', 'tenant-1/learner-2'], limit: 50 },
        { flags: ['authority-breach'], scenarioId: 'kettle-refund', limit: 50 },
        { flags: ['very-low'], reviewStatus: 'unreviewed', mode: 'practice', limit: 50 },
        { flags: ['very-low'], reviewStatus: 'needs-another-attempt', limit: 50 },
        { after: { endedAt: '2026-11-08T00:00:00.000Z', id: 'rec-07' }, limit: 3 },
        { after: { endedAt: '2026-11-11T00:00:00.000Z', id: 'rec-11' }, limit: 50 },
        { after: { endedAt: '2026-11-30T00:00:00.000Z', id: 'zzz' }, limit: 2, offset: 2 },
        {
          after: { endedAt: '2026-11-06T00:00:00.000Z', id: 'rec-05' },
          learnerIds: ['tenant-1/learner-1'],
          problemType: 'delivery',
          limit: 50,
        },
        { after: { endedAt: '2026-11-09T00:00:00.000Z', id: 'rec-08' }, flags: ['authority-breach'], limit: 50 },
        { after: { endedAt: '2026-11-10T00:00:00.000Z', id: 'rec-00' }, endedFrom: '2026-11-03T00:00:00.000Z', limit: 50 },
        { after: { endedAt: '2026-10-01T00:00:00.000Z', id: 'rec-00' }, limit: 50 },
      ];
      // The table must tell the flags apart: each alone matches some records, and not all.
      for (const flag of ['authority-breach', 'very-low', 'very-high'] satisfies ScoreFlag[]) {
        const { total } = expectedPage(records, { flags: [flag], limit: 1 }, statuses);
        expect({ flag, some: total > 0 && total < records.length }).toEqual({ flag, some: true });
      }
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

    it('files a record under the flags of its report, moving it when it is saved again with another report', async () => {
      const store = await make();
      const ids = async (flags: ScoreFlag[]) => (await store.list({ flags, limit: 10 })).records.map((r) => r.id);
      await store.save(evidenceRecord({ id: 'breached', report: REPORTS.breachVeryLow }));
      await store.save(evidenceRecord({ id: 'strong', report: REPORTS.veryHigh, endedAt: '2026-11-23T09:00:00.000Z' }));
      await store.setReviewStatus('breached', 'needs-another-attempt');
      expect(await ids(['authority-breach'])).toEqual(['breached']);
      expect(await ids(['very-low', 'authority-breach'])).toEqual(['breached']);
      expect(await ids(['very-high'])).toEqual(['strong']);
      // Scored again (a corrected scorer's report): the breach is gone, the record is strong work now.
      await store.save(evidenceRecord({ id: 'breached', report: REPORTS.veryHigh }));
      expect(await ids(['authority-breach'])).toEqual([]);
      expect(await ids(['very-low'])).toEqual([]);
      expect(await ids(['very-high'])).toEqual(['breached', 'strong']);
      expect((await store.list({ flags: ['very-high'], reviewStatus: 'needs-another-attempt', limit: 10 })).total).toBe(1);
      // Filed again from the record as stored: still where the stored report puts it.
      expect(await store.refile('breached')).toBe(true);
      expect(await ids(['very-high'])).toEqual(['breached', 'strong']);
      expect(await ids(['authority-breach'])).toEqual([]);
      await store.save(evidenceRecord({ id: 'strong', report: REPORTS.none, endedAt: '2026-11-23T09:00:00.000Z' }));
      expect(await ids(['very-high'])).toEqual(['breached']);
      expect((await store.list({ flags: [], limit: 10 })).total).toBe(2);
    });

    it('pages by position through every record once, in order, while newer records arrive', async () => {
      const store = await make();
      const records = varietyOfRecords();
      for (const record of records) await store.save(record);
      const newest = (n: number) =>
        evidenceRecord({ id: `new-${n}`, learner: { id: 'tenant-1/learner-0' }, endedAt: `2026-12-0${n}T00:00:00.000Z` });
      const { pages, totals } = await pageThrough(store, { limit: 5 }, (n) => store.save(newest(n)));
      // Three pages (5, 5 and the last 2), and the newer records, listed before the first page, never in a later one.
      expect(pages).toEqual([
        ['rec-11', 'rec-10', 'rec-09', 'rec-08', 'rec-07'],
        ['rec-06', 'rec-05', 'rec-04', 'rec-03', 'rec-02'],
        ['rec-01', 'rec-00'],
      ]);
      // The total counts every match, the newer records too: the cursor moves the page, not the count.
      expect(totals).toEqual([12, 13, 14]);
      expect((await store.list({ limit: 3 })).records.map((r) => r.id)).toEqual(['new-3', 'new-2', 'new-1']);

      // With filters and an offset (skipping one record after the position each time).
      const query: EvidenceQuery = { learnerIds: ['tenant-1/learner-0', 'tenant-1/learner-1'], mode: 'practice', limit: 2 };
      const filtered = await pageThrough(store, query);
      const all = expectedPage([...records, ...[1, 2, 3].map(newest)], { ...query, limit: 50 }, {});
      expect(filtered.pages.flat()).toEqual(all.ids);
      expect(filtered.pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
      const skipping = await pageThrough(store, { ...query, offset: 1 });
      expect(skipping.pages.flat()).toEqual(all.ids.filter((_, i) => i % 3 !== 0));
    });

    it('breaks ties of end time by id when paging by position, the position compared as an instant', async () => {
      const store = await make();
      const at = '2026-11-23T10:10:00.000Z';
      for (const id of ['a', 'b', 'c', 'd', 'B']) await store.save(evidenceRecord({ id, endedAt: at }));
      await store.save(evidenceRecord({ id: 'z-earlier', endedAt: '2026-11-23T10:09:59.999Z', report: REPORTS.breach }));
      await store.save(evidenceRecord({ id: 'a-later', endedAt: '2026-11-23T10:10:00.001Z' }));
      await store.save(evidenceRecord({ id: 'c-flagged', endedAt: at, report: REPORTS.breach }));
      const ids = async (query: Omit<EvidenceQuery, 'limit'>, limit = 10) =>
        (await store.list({ ...query, limit })).records.map((r) => r.id);
      expect(await ids({})).toEqual(['a-later', 'd', 'c-flagged', 'c', 'b', 'a', 'B', 'z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'c' } })).toEqual(['b', 'a', 'B', 'z-earlier']);
      // The same instant written with another offset, and a position no record holds.
      expect(await ids({ after: { endedAt: '2026-11-23T11:10:00+01:00', id: 'c' } })).toEqual(['b', 'a', 'B', 'z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'bb' } })).toEqual(['b', 'a', 'B', 'z-earlier']);
      // Code units: 'B' sorts below 'a', and a prefix below what it begins.
      expect(await ids({ after: { endedAt: at, id: 'a' } })).toEqual(['B', 'z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'c-' } })).toEqual(['c', 'b', 'a', 'B', 'z-earlier']);
      // Within the ties, and past them: the offset and the limit count across both.
      expect(await ids({ after: { endedAt: at, id: 'd' }, offset: 1 }, 3)).toEqual(['c', 'b', 'a']);
      expect(await ids({ after: { endedAt: at, id: 'c' }, offset: 2 }, 3)).toEqual(['B', 'z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'b' }, offset: 2 })).toEqual(['z-earlier']);
      // With a filter, and with the position's instant outside a time filter.
      expect(await ids({ after: { endedAt: at, id: 'd' }, flags: ['authority-breach'] })).toEqual(['c-flagged', 'z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'c' }, endedBefore: at })).toEqual(['z-earlier']);
      expect(await ids({ after: { endedAt: at, id: 'c' }, endedFrom: at })).toEqual(['b', 'a', 'B']);
      expect(await ids({ after: { endedAt: at, id: 'c' }, endedFrom: '2026-11-23T10:10:00.001Z' })).toEqual([]);
      expect((await store.list({ after: { endedAt: at, id: 'c' }, endedFrom: at, limit: 1 })).total).toBe(7);
    });

    it('refuses a position that is not one, and a flag that is not one', async () => {
      const store = await make();
      await store.save(evidenceRecord());
      await expect(store.list({ limit: 5, after: { endedAt: 'yesterday', id: 'r1' } })).rejects.toThrow(RangeError);
      await expect(store.list({ limit: 5, after: { endedAt: '', id: 'r1' } })).rejects.toThrow(/after\.endedAt must be an ISO instant/);
      await expect(store.list({ limit: 5, after: { endedAt: '2026-11-23T10:10:00Z', id: 7 as unknown as string } })).rejects.toThrow(
        RangeError,
      );
      await expect(store.list({ limit: 5, flags: ['very-odd' as ScoreFlag] })).rejects.toThrow(RangeError);
    });

    it('gives whole records from a listing, and refuses a page size it cannot serve', async () => {
      const store = await make();
      const record = evidenceRecord({ reflection: 'Asked too few questions.' });
      await store.save(record);
      expect((await store.list({ limit: 1 })).records).toEqual([record]);
      await expect(store.list({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.list({ limit: 201 })).rejects.toThrow(RangeError);
    });

    it('deletes a record from get, its learner, every filtered listing, the totals and the review status', async () => {
      const store = await make();
      const records = varietyOfRecords();
      for (const record of records) await store.save(record);
      // rec-03: learner-0, late-delivery (delivery), practice, reviewed, and flagged.
      const gone = records[3]!;
      expect(scoreFlagsOf(gone.report).length).toBeGreaterThan(0);
      await store.setReviewStatus(gone.id, 'meets-standard');
      const filtersOf = (r: EvidenceRecord): Omit<EvidenceQuery, 'limit'>[] => [
        {},
        { learnerIds: [r.learner.id] },
        { scenarioId: r.scenario.id },
        { problemType: r.scenario.problemType! },
        { mode: r.mode },
        { reviewStatus: 'meets-standard' },
        { endedBefore: '2026-12-01T00:00:00.000Z' },
        ...scoreFlagsOf(r.report).map((flag) => ({ flags: [flag] })),
      ];
      const before = await Promise.all(filtersOf(gone).map((filter) => store.list({ ...filter, limit: 50 })));
      expect(before.every((page) => page.records.some((r) => r.id === gone.id))).toBe(true);

      expect(await store.delete(gone.id)).toBe(true);
      expect(await store.get(gone.id)).toBeUndefined();
      expect(await store.reviewStatusOf(gone.id)).toBeUndefined();
      expect(await store.setReviewStatus(gone.id, 'needs-another-attempt')).toBe(false);
      expect(await store.refile(gone.id)).toBe(false);
      expect((await store.listFor(gone.learner.id)).map((r) => r.id)).not.toContain(gone.id);
      const after = await Promise.all(filtersOf(gone).map((filter) => store.list({ ...filter, limit: 50 })));
      after.forEach((page, i) => {
        expect(page.records.map((r) => r.id)).toEqual(before[i]!.records.map((r) => r.id).filter((id) => id !== gone.id));
        expect(page.total).toBe(before[i]!.total - 1);
      });
      // Nothing else moved: every other record is listed as it was.
      const rest = records.filter((r) => r.id !== gone.id);
      expect((await store.list({ limit: 50 })).records.map((r) => r.id)).toEqual(expectedPage(rest, { limit: 50 }, {}).ids);
      expect(await store.get(records[4]!.id)).toEqual(records[4]);
    });

    it('deletes again without error (false), and lets the id be saved again as a new, unreviewed record', async () => {
      const store = await make();
      await store.save(evidenceRecord({ report: REPORTS.breach }));
      await store.setReviewStatus('r1', 'needs-another-attempt');
      expect(await store.delete('r1')).toBe(true);
      expect(await store.delete('r1')).toBe(false);
      expect(await store.delete('never-there')).toBe(false);

      const again = evidenceRecord({
        learner: { id: 'tenant-1/learner-2' },
        scenario: { id: 'late-delivery', title: 'Late', problemType: 'delivery' },
      });
      await store.save(again);
      expect(await store.get('r1')).toEqual(again);
      expect(await store.reviewStatusOf('r1')).toBe('unreviewed');
      expect(await store.listFor('tenant-1/learner-1')).toEqual([]);
      expect((await store.listFor('tenant-1/learner-2')).map((r) => r.id)).toEqual(['r1']);
      expect((await store.list({ reviewStatus: 'needs-another-attempt', limit: 5 })).total).toBe(0);
      expect((await store.list({ flags: ['authority-breach'], limit: 5 })).total).toBe(0);
      expect((await store.list({ scenarioId: 'kettle-refund', limit: 5 })).total).toBe(0);
      expect((await store.list({ problemType: 'delivery', limit: 5 })).records.map((r) => r.id)).toEqual(['r1']);
    });

    it('refuses a record that is not evidence, keeping nothing of it', async () => {
      const store = await make();
      await expect(store.save({ ...evidenceRecord(), endedAt: 'yesterday' })).rejects.toThrow();
      expect(await store.get('r1')).toBeUndefined();
      expect((await store.list({ limit: 5 })).total).toBe(0);
    });
  });
}
