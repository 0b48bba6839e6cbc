/**
 * The stores: the embedded file stores and the in-memory fakes held to the same conformance suite,
 * then what only the file stores face (restarts, leftovers, damaged files), and botbuilder's
 * Storage over a key-value store.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA_VERSION } from '../engine/evidence-record.ts';
import { FileEvidenceStore } from '../store/file-evidence-store.ts';
import { FileKeyValueStore } from '../store/file-key-value-store.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { evidenceRecord, evidenceStoreConformance, keyValueStoreConformance } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

/** Each file store gets a folder of its own, removed when its test finishes. */
const folder = () => temporaryFolder('servicesim-store-');

keyValueStoreConformance('memory', async () => new MemoryKeyValueStore());
keyValueStoreConformance('files', async () => new FileKeyValueStore(await folder()));
evidenceStoreConformance('memory', async () => new MemoryEvidenceStore());
evidenceStoreConformance('files', async () => new FileEvidenceStore(await folder()));

describe('the file stores on disk', () => {
  it('survive a restart: a new store over the same folder reads what the old one wrote', async () => {
    const dir = await folder();
    const { k } = await new FileKeyValueStore(dir).write([{ key: 'k', value: 'kept' }]);
    expect((await new FileKeyValueStore(dir).read(['k'])).k).toEqual({ value: 'kept', eTag: k });
  });

  it('leave no temporary files behind', async () => {
    const dir = await folder();
    const store = new FileKeyValueStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write([{ key: `k${i % 3}`, value: i }])));
    const files = await readdir(dir, { recursive: true });
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('skip a damaged or foreign evidence file, naming it, and still show the learner the rest', async () => {
    const dir = await folder();
    const skipped: string[] = [];
    const store = new FileEvidenceStore(dir, (file, problem) => skipped.push(`${path.basename(file)}: ${problem}`));
    await store.save(evidenceRecord());
    await store.save({ ...evidenceRecord(), id: 'r2', endedAt: '2026-11-02T10:00:00.000Z' });
    const [learner] = await readdir(dir);
    await writeFile(path.join(dir, learner!, 'r1.json'), '{"id": "r1"}');
    await writeFile(path.join(dir, learner!, 'cut-short.json'), '{"id": "r3", "learn');
    expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['r2']);
    expect(await store.get('r1')).toBeUndefined();
    expect(skipped.some((line) => /^r1\.json: not an evidence record/.test(line))).toBe(true);
    expect(skipped.some((line) => /^cut-short\.json: not JSON/.test(line))).toBe(true);
  });

  it('read an evidence record written before versioning, migrated to the current schema', async () => {
    const dir = await folder();
    const written = JSON.parse(await readFile(new URL('./fixtures/evidence-record-v1.json', import.meta.url), 'utf8'));
    const store = new FileEvidenceStore(dir, () => {
      throw new Error('a version 1 record must not be skipped');
    });
    await store.save({ ...evidenceRecord(), learner: written.learner, id: 'other' });
    const [learner] = await readdir(dir);
    await writeFile(path.join(dir, learner!, `${written.id}.json`), JSON.stringify(written));
    const record = await store.get(written.id);
    expect(record).toMatchObject({
      schemaVersion: EVIDENCE_SCHEMA_VERSION,
      migratedFrom: 1,
      reflection: written.reflection,
      turns: written.turns,
    });
    expect(record!.report.breaches.map((b) => b.action)).toEqual(['guarantee']);
    expect(record!.customer.id).toBe('scripted-customer');
    expect((await store.listFor(written.learner.id)).map((r) => r.id)).toContain(written.id);
  });

  it('set aside a damaged state file and carry on as if it were not there', async () => {
    const dir = await folder();
    const skipped: string[] = [];
    const store = new FileKeyValueStore(dir, (file, problem) => skipped.push(problem));
    await store.write([{ key: 'conversation/1', value: { turns: 3 } }]);
    const [shard] = await readdir(dir);
    const [file] = await readdir(path.join(dir, shard!));
    await writeFile(path.join(dir, shard!, file!), '{"key": "conversation/1", "eTag": "x", "val');
    expect(await store.read(['conversation/1'])).toEqual({});
    expect(skipped).toHaveLength(1);
    expect((await readdir(path.join(dir, shard!))).some((f) => f.includes('.damaged-'))).toBe(true);
    await store.write([{ key: 'conversation/1', value: { turns: 1 } }]);
    expect((await store.read(['conversation/1']))['conversation/1']?.value).toEqual({ turns: 1 });
  });
});

describe('botbuilder Storage over a key-value store', () => {
  it('reads items with their eTag, and refuses a stale eTag with "eTag conflict"', async () => {
    const { KeyValueBotStorage } = await import('../bot/bot-storage.ts');
    const storage = new KeyValueBotStorage(new FileKeyValueStore(await folder()));
    await storage.write({ 'conversation/1': { turns: 1, eTag: '*' } });
    const first = await storage.read(['conversation/1']);
    expect(first['conversation/1']).toMatchObject({ turns: 1, eTag: expect.any(String) });
    await storage.write({ 'conversation/1': { ...first['conversation/1'], turns: 2 } });
    await expect(storage.write({ 'conversation/1': { ...first['conversation/1'], turns: 3 } })).rejects.toThrow(/eTag conflict/);
    expect((await storage.read(['conversation/1']))['conversation/1']).toMatchObject({ turns: 2 });
    await storage.delete(['conversation/1']);
    expect(await storage.read(['conversation/1'])).toEqual({});
  });
});

describe('the file evidence store under awkward conditions', () => {
  it("ignores a stray file beside the learners' folders", async () => {
    const dir = await folder();
    const store = new FileEvidenceStore(dir);
    await store.save(evidenceRecord());
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, '.DS_Store'), 'not a folder');
    expect((await store.get('r1'))?.id).toBe('r1');
    expect(await store.get('missing')).toBeUndefined();
  });

  it('takes two saves of the same record at once without an error', async () => {
    const store = new FileEvidenceStore(await folder());
    await Promise.all([store.save(evidenceRecord()), store.save(evidenceRecord({ reflection: 'second' }))]);
    expect(await store.listFor('tenant-1/learner-1')).toHaveLength(1);
  });
});
