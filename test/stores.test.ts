import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../store/file-evidence-store.ts';
import { FileKeyValueStore } from '../store/file-key-value-store.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { evidenceRecord, evidenceStoreConformance, keyValueStoreConformance } from './store-conformance.ts';

const folders: string[] = [];
const folder = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'servicesim-store-'));
  folders.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

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

  it('report a damaged evidence file instead of showing half of it', async () => {
    const dir = await folder();
    const store = new FileEvidenceStore(dir);
    await store.save(evidenceRecord());
    const [learner] = await readdir(dir);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, learner!, 'r1.json'), '{"id": "r1"}');
    await expect(store.listFor('tenant-1/learner-1')).rejects.toThrow(/not an evidence record/);
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
  it('ignores a stray file beside the learners\' folders', async () => {
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
