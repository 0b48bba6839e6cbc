/**
 * The stores: the embedded file stores and the in-memory fakes held to the same conformance suite,
 * then what only the file stores face (restarts, leftovers, damaged files), and botbuilder's
 * Storage over a key-value store.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openFileStores } from '../cli/commands/serve.ts';
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

describe('temporary files left by interrupted writes', () => {
  /** The id of a process that has exited: its temporary files can belong to no write in progress. */
  const exitedPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  /** A temporary file as writeJsonAtomically names it, for `pid`, last modified `ageMs` ago. */
  async function leftover(folder: string, pid: number, ageMs = 0): Promise<string> {
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `${randomUUID()}.json.${pid}.${randomUUID()}.tmp`);
    await writeFile(file, '{"cut": "sho');
    const at = new Date(Date.now() - ageMs);
    await utimes(file, at, at);
    return path.basename(file);
  }

  it.each([
    ['key-value', (dir: string) => new FileKeyValueStore(dir)],
    ['evidence', (dir: string) => new FileEvidenceStore(dir)],
  ])('%s store: removes those of exited processes and old ones, and keeps what may be a write in progress', async (_kind, open) => {
    const dir = await folder();
    const shard = path.join(dir, 'ab');
    const exited = await leftover(shard, exitedPid());
    const oldOfThisProcess = await leftover(shard, process.pid, 2 * 60_000);
    const oldOfRunning = await leftover(dir, process.ppid, 2 * 60_000);
    const freshOfThisProcess = await leftover(shard, process.pid);
    // Another ServiceSim over the same data folder, mid-write: its parent stands in for it, running.
    const freshOfRunning = await leftover(dir, process.ppid);
    await writeFile(path.join(shard, 'notes.tmp'), 'not written by a store');
    await writeFile(path.join(shard, 'kept.json'), '{}');
    expect(await open(dir).removeOrphans()).toBe(3);
    const left = (await readdir(dir, { recursive: true })).map((f) => path.basename(f));
    expect(left).not.toEqual(expect.arrayContaining([exited]));
    expect(left).not.toEqual(expect.arrayContaining([oldOfThisProcess]));
    expect(left).not.toEqual(expect.arrayContaining([oldOfRunning]));
    expect(left).toEqual(expect.arrayContaining([freshOfThisProcess, freshOfRunning, 'notes.tmp', 'kept.json']));
  });

  it('finds nothing to remove in a data folder not made yet', async () => {
    expect(await new FileKeyValueStore(path.join(await folder(), 'state')).removeOrphans()).toBe(0);
  });

  it('are removed from the state and evidence folders when serve opens its stores, and counted in one log line', async () => {
    const data = await folder();
    await leftover(path.join(data, 'state', 'ab'), exitedPid());
    await leftover(path.join(data, 'evidence', 'learner'), exitedPid());
    await leftover(path.join(data, 'evidence', 'learner'), process.pid);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const { state } = await openFileStores(data, logger);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; removed?: number });
    expect(logged).toEqual([expect.objectContaining({ msg: 'removed temporary files left by interrupted writes', removed: 2 })]);
    expect(await readdir(path.join(data, 'state', 'ab'))).toEqual([]);
    expect(await readdir(path.join(data, 'evidence', 'learner'))).toHaveLength(1);
    await state.write([{ key: 'k', value: 1 }]);
    expect((await state.read(['k'])).k?.value).toBe(1);
  });
});

describe('a write that fails part way', () => {
  it('leaves no temporary file behind', async () => {
    const dir = await folder();
    const store = new FileKeyValueStore(dir);
    await store.write([{ key: 'k', value: 1 }]);
    // A folder where the file should be makes the rename fail after the temporary file was written.
    const [shard] = await readdir(dir);
    const [file] = await readdir(path.join(dir, shard!));
    await rm(path.join(dir, shard!, file!));
    await mkdir(path.join(dir, shard!, file!, 'in-the-way'), { recursive: true });
    await expect(store.write([{ key: 'k', value: 2 }])).rejects.toThrow();
    expect((await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
