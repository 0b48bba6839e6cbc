/**
 * The embedded SQLite stores: held to the stores' conformance suite, then what only SQLite faces
 * (restarts, schema versions, file modes, damaged rows, expiry, faults of the disk, a large table),
 * and `servicesim migrate`, which imports a data folder kept by the file stores before SQLite.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { EVIDENCE_SCHEMA_VERSION, type EvidenceRecord } from '../engine/evidence-record.ts';
import { SCORE_FLAGS, scoreFlagsOf } from '../engine/score-flags.ts';
import { StoreUnavailableError, writeAll } from '../store/key-value-store.ts';
import { openSqliteDatabase } from '../store/sqlite-database.ts';
import { SqliteEvidenceStore } from '../store/sqlite-evidence-store.ts';
import { SqliteKeyValueStore } from '../store/sqlite-key-value-store.ts';
import { runCli } from './run-cli.ts';
import { evidenceRecord, evidenceStoreConformance, keyValueStoreConformance, reportWith } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

/** A database file in a folder of its own; the folder is removed when the test finishes. */
const databaseFile = () => path.join(temporaryFolder('servicesim-sqlite-'), 'data', 'servicesim.db');

/** A fresh database, closed when the test finishes (if the test has not closed it). */
function freshDatabase(file = databaseFile()): Database.Database {
  const db = openSqliteDatabase(file);
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return db;
}

/** A reporter that keeps what it was told, as `place: problem` lines. */
function reports(): { lines: string[]; report: (place: string, problem: string) => void } {
  const lines: string[] = [];
  return { lines, report: (place, problem) => lines.push(`${place}: ${problem}`) };
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

const MIGRATIONS = path.join(import.meta.dirname, '..', 'store', 'sqlite-migrations');

keyValueStoreConformance('sqlite', async () => new SqliteKeyValueStore(freshDatabase()));
evidenceStoreConformance('sqlite', async () => new SqliteEvidenceStore(freshDatabase()));

describe('the SQLite database file', () => {
  it('keeps its locks when opened twice in one process, so another program reading it never takes the WAL away', async () => {
    const file = databaseFile();
    const state = openSqliteDatabase(file);
    onTestFinished(() => void state.close());
    await writeAll(new SqliteKeyValueStore(state), [{ key: 'k', value: 'before' }]);
    // This process's POSIX locks on the database file (Linux shows them in /proc/locks, by inode).
    const { ino } = statSync(file);
    const locksHeld = () =>
      readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .filter((line) => line.includes(` ${process.pid} `) && line.includes(`:${ino} `)).length;
    const before = locksHeld();
    expect(before).toBeGreaterThan(0);
    // The lease store opens the same file. Closing any descriptor of a file drops all of a process's
    // locks on it: had that open touched the file, another program (the sqlite3 shell, a backup) would
    // take itself for the last connection and delete the WAL under the server.
    const leases = openSqliteDatabase(file);
    onTestFinished(() => void leases.close());
    expect(locksHeld()).toBe(before);
  });

  it('survives a restart: the data is there and the migrations are not applied again', async () => {
    const file = databaseFile();
    const first = openSqliteDatabase(file);
    const { k } = await writeAll(new SqliteKeyValueStore(first), [{ key: 'k', value: 'kept' }]);
    await new SqliteEvidenceStore(first).save(evidenceRecord());
    const applied = first.prepare('SELECT * FROM schema_migrations').all();
    first.close();

    const again = freshDatabase(file);
    expect((await new SqliteKeyValueStore(again).read(['k'])).k).toEqual({ value: 'kept', eTag: k });
    expect(await new SqliteEvidenceStore(again).get('r1')).toEqual(evidenceRecord());
    expect(again.prepare('SELECT * FROM schema_migrations').all()).toEqual(applied);
    expect(applied).toEqual([
      { version: 1, name: 'initial', applied_at: expect.any(String) },
      { version: 2, name: 'score-flags', applied_at: expect.any(String) },
    ]);
  });

  it('is readable by this account only: folder 0700, database, -wal and -shm 0600', async () => {
    const file = databaseFile();
    const db = freshDatabase(file);
    await writeAll(new SqliteKeyValueStore(db), [{ key: 'k', value: 'personal' }]);
    expect(modeOf(path.dirname(file)).toString(8)).toBe('700');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect({ f, mode: modeOf(f).toString(8) }).toEqual({ f, mode: '600' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it("makes a database, -wal and -shm that an older process left readable by others private, leaving the operator's folder as it is", () => {
    const file = databaseFile();
    mkdirSync(path.dirname(file), { mode: 0o755 });
    chmodSync(path.dirname(file), 0o755);
    // Still open, as a running older ServiceSim would hold it, so its -wal and -shm are there and in use.
    const older = new Database(file);
    onTestFinished(() => void older.close());
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE from_before (x)');
    for (const f of [path.dirname(file), file, `${file}-wal`, `${file}-shm`]) chmodSync(f, f === path.dirname(file) ? 0o755 : 0o644);
    freshDatabase(file);
    // DATA_DIR may be "." or a home folder: its mode is the operator's choice; the files are what must be private.
    expect(modeOf(path.dirname(file)).toString(8)).toBe('755');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect({ f, mode: modeOf(f).toString(8) }).toEqual({ f, mode: '600' });
  });

  it('relies on SQLite giving -wal and -shm the database file its mode', () => {
    // The premise of creating the database file 0600 before opening it: shown with SQLite alone.
    const file = databaseFile();
    mkdirSync(path.dirname(file));
    closeSync(openSync(file, 'w', 0o600));
    const db = new Database(file);
    onTestFinished(() => void db.close());
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    expect([modeOf(`${file}-wal`), modeOf(`${file}-shm`)].map((m) => m.toString(8))).toEqual(['600', '600']);
  });

  it('refuses a database from a newer ServiceSim, naming both schema versions', () => {
    const file = databaseFile();
    const db = openSqliteDatabase(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      7,
      'from-the-future',
      new Date().toISOString(),
    );
    db.close();
    expect(() => openSqliteDatabase(file)).toThrow(
      /schema version 7, but this ServiceSim knows versions up to 2: it was written by a newer ServiceSim/,
    );
  });

  it('applies each migration in a transaction: one that fails leaves nothing of itself', () => {
    const file = databaseFile();
    const folder = temporaryFolder('servicesim-migrations-');
    writeFileSync(path.join(folder, '001-initial.sql'), readFileSync(path.join(MIGRATIONS, '001-initial.sql')));
    writeFileSync(path.join(folder, '002-broken.sql'), 'CREATE TABLE half_made (x);\nINSERT INTO no_such_table VALUES (1);\n');
    expect(() => openSqliteDatabase(file, { migrationsFolder: folder })).toThrow(/no such table/);
    // Opened as it was left, not migrated again.
    const db = new Database(file, { readonly: true });
    onTestFinished(() => void db.close());
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_made'").pluck().get()).toBe(0);
  });
});

describe('score flags in a database from before they were kept', () => {
  /** A database at schema version 1, as the last ServiceSim without flags left it. */
  function databaseAtVersion1(file: string): Database.Database {
    const folder = temporaryFolder('servicesim-migrations-');
    writeFileSync(path.join(folder, '001-initial.sql'), readFileSync(path.join(MIGRATIONS, '001-initial.sql')));
    return openSqliteDatabase(file, { migrationsFolder: folder });
  }

  /** A row as the version 1 store wrote it: the columns, and the record as JSON (or whatever text is given). */
  function insertAtVersion1(db: Database.Database, record: EvidenceRecord, text = JSON.stringify(record)): void {
    db.prepare(
      `INSERT INTO evidence (id, learner_id, scenario_id, problem_type, mode, ended_at_ms, record)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      record.id,
      record.learner.id,
      record.scenario.id,
      record.scenario.problemType ?? 'unknown',
      record.mode,
      Date.parse(record.endedAt),
      text,
    );
  }

  it('files the records already stored under the flags scoreFlagsOf gives them, as the migration to version 2', async () => {
    const file = databaseFile();
    const old = databaseAtVersion1(file);
    // Every edge of the rules: no levelled dimension, a mean of exactly 1, all threes with and without a breach.
    const levelSets: (number | null)[][] = [
      [],
      [null],
      [0],
      [1],
      [3],
      [3, 3],
      [3, null, 3],
      [3, 2],
      [0, 1],
      [0, 2],
      [1, 1],
      [0, 0, 3],
      [0, 0, 2],
      [0, null],
    ];
    const records = levelSets.flatMap((levels, i) =>
      [0, 1, 2].map((breaches) =>
        evidenceRecord({
          id: `rec-${i}-${breaches}`,
          endedAt: new Date(Date.UTC(2026, 10, 1, i, breaches)).toISOString(),
          report: reportWith(levels, breaches),
        }),
      ),
    );
    for (const record of records) insertAtVersion1(old, record);
    // A version 1 record (its report at the same paths), and rows no ServiceSim could read: none may stop the migration.
    const v1 = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'evidence-record-v1.json'), 'utf8'));
    insertAtVersion1(old, evidenceRecord({ id: v1.id, learner: v1.learner, endedAt: v1.endedAt }), JSON.stringify(v1));
    insertAtVersion1(old, evidenceRecord({ id: 'cut-short' }), '{"id": "cut-short", "report": {"breaches": [');
    const odd = { ...evidenceRecord({ id: 'odd-shape' }), report: { dimensions: 'none', breaches: 'some' } };
    insertAtVersion1(old, evidenceRecord({ id: 'odd-shape' }), JSON.stringify(odd));
    const oddLevels = { ...evidenceRecord({ id: 'odd-levels' }), report: { dimensions: { a: 3, b: { level: '0' } }, breaches: [] } };
    insertAtVersion1(old, evidenceRecord({ id: 'odd-levels' }), JSON.stringify(oddLevels));
    old.close();

    const db = freshDatabase(file);
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1, 2]);
    const filed = db.prepare('SELECT id, flag FROM evidence_flag ORDER BY id, flag').all();
    const v1Flags = scoreFlagsOf((await new SqliteEvidenceStore(db).get(v1.id))!.report);
    const expected = [...records.map((r) => ({ id: r.id, flags: scoreFlagsOf(r.report) })), { id: v1.id, flags: v1Flags }]
      .flatMap(({ id, flags }) => flags.map((flag) => ({ id, flag })))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.flag < b.flag ? -1 : 1));
    expect(filed).toEqual(expected);
    // The rules' edges were all reached, and the fixture has its flag. No record from before the
    // migration can carry a model judge's report, so `judges-disagree` is not among them.
    for (const flag of SCORE_FLAGS.filter((f) => f !== 'judges-disagree'))
      expect({ flag, filed: expected.some((row) => row.flag === flag) }).toEqual({ flag, filed: true });
    expect(v1Flags).toEqual(['authority-breach', 'very-low']);

    // Listed through the store, with the other filters.
    const store = new SqliteEvidenceStore(db, () => undefined);
    const breached = records.filter((r) => scoreFlagsOf(r.report).includes('authority-breach')).map((r) => r.id);
    const page = await store.list({ flags: ['authority-breach'], learnerIds: ['tenant-1/learner-1'], limit: 200 });
    expect(page.records.map((r) => r.id).sort()).toEqual(breached.sort());
    expect((await store.list({ flags: ['authority-breach'], limit: 200 })).total).toBe(breached.length + 1);
  });

  it("keeps a record's flags with it: set aside, it takes them along; saved again, it is filed afresh", async () => {
    const db = freshDatabase();
    const store = new SqliteEvidenceStore(db, () => undefined);
    await store.save(evidenceRecord({ id: 'damaged', report: reportWith([0], 1) }));
    await store.save(evidenceRecord({ id: 'fine', report: reportWith([0], 1), endedAt: '2026-11-23T09:00:00.000Z' }));
    const flagsOf = (id: string) => db.prepare('SELECT flag FROM evidence_flag WHERE id = ? ORDER BY flag').pluck().all(id);
    expect(flagsOf('damaged')).toEqual(['authority-breach', 'very-low']);
    db.prepare("UPDATE evidence SET record = 'not JSON' WHERE id = 'damaged'").run();
    expect((await store.list({ flags: ['very-low'], limit: 5 })).records.map((r) => r.id)).toEqual(['fine']);
    expect(flagsOf('damaged')).toEqual([]);
    // A row rewritten behind the store's back is filed again from what it holds when asked to refile it.
    db.prepare('UPDATE evidence SET record = ? WHERE id = ?').run(
      JSON.stringify(evidenceRecord({ id: 'fine', report: reportWith([3]) })),
      'fine',
    );
    expect(await store.refile('fine')).toBe(true);
    expect(flagsOf('fine')).toEqual(['very-high']);
  });
});

describe('damaged rows in the SQLite stores', () => {
  it('sets a state value that is not JSON aside, reports it by key alone, and lets the key be written again', async () => {
    const db = freshDatabase();
    const { lines, report } = reports();
    const store = new SqliteKeyValueStore(db, report);
    await writeAll(store, [
      { key: 'conversation/1', value: { said: 'my address is 1 High St' } },
      { key: 'other', value: 1 },
    ]);
    db.prepare("UPDATE key_value SET value = '{\"said\": \"my address is 1 Hi' WHERE key = 'conversation/1'").run();

    expect(await store.read(['conversation/1', 'other'])).toEqual({ other: { value: 1, eTag: expect.any(String) } });
    expect(lines).toEqual(['sqlite state "conversation/1": not JSON; set aside']);
    expect(db.prepare('SELECT source, key, content, problem FROM set_aside').all()).toEqual([
      { source: 'state', key: 'conversation/1', content: '{"said": "my address is 1 Hi', problem: 'not JSON' },
    ]);
    expect((await store.write([{ key: 'conversation/1', value: 'fresh', create: true }]))['conversation/1']).toMatchObject({
      written: true,
    });
    expect((await store.read(['conversation/1']))['conversation/1']?.value).toBe('fresh');
  });

  it('leaves damaged evidence rows out of listings: sets aside what is not JSON, and leaves in place what it cannot read', async () => {
    const db = freshDatabase();
    const { lines, report } = reports();
    const store = new SqliteEvidenceStore(db, report);
    await store.save(evidenceRecord({ id: 'oldest', endedAt: '2026-11-01T00:00:00.000Z' }));
    await store.save(evidenceRecord({ id: 'not-json', endedAt: '2026-11-02T00:00:00.000Z' }));
    await store.save(evidenceRecord({ id: 'not-a-record', endedAt: '2026-11-03T00:00:00.000Z' }));
    await store.save(evidenceRecord({ id: 'newest', endedAt: '2026-11-04T00:00:00.000Z' }));
    db.prepare("UPDATE evidence SET record = '{\"turns\": [\"I live at' WHERE id = 'not-json'").run();
    // JSON this version cannot read may be a newer ServiceSim's, sharing the database: it stays where it is.
    db.prepare('UPDATE evidence SET record = \'{"id": "not-a-record", "schemaVersion": 9}\' WHERE id = \'not-a-record\'').run();

    expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['newest', 'oldest']);
    expect(await store.list({ limit: 10 })).toMatchObject({ records: [{ id: 'newest' }, { id: 'oldest' }], total: 3 });
    expect(lines.filter((line) => line === 'sqlite evidence "not-json": not JSON; set aside')).toHaveLength(1);
    expect(lines.filter((line) => /^sqlite evidence "not-a-record": schema version 9 .*; skipped, left in place$/.test(line)).length).toBe(
      2,
    );
    expect(lines.join('\n')).not.toMatch(/I live at/);
    expect(db.prepare('SELECT key, source FROM set_aside ORDER BY key').all()).toEqual([{ key: 'not-json', source: 'evidence' }]);
    expect(db.prepare('SELECT count(*) FROM evidence').pluck().get()).toBe(3);
  });

  it("never lists a record under a learner whose row it was moved to: it is not that learner's", async () => {
    const db = freshDatabase();
    const { lines, report } = reports();
    const store = new SqliteEvidenceStore(db, report);
    await store.save(evidenceRecord());
    db.prepare("UPDATE evidence SET learner_id = 'tenant-1/someone-else'").run();
    expect(await store.listFor('tenant-1/someone-else')).toEqual([]);
    expect(lines).toEqual(['sqlite evidence "r1": its id or learner does not match its row; set aside']);
  });

  it('reads an evidence row of an older schema version, migrated as it is read', async () => {
    const db = freshDatabase();
    const store = new SqliteEvidenceStore(db, () => {
      throw new Error('a version 1 record must not be set aside');
    });
    const written = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'evidence-record-v1.json'), 'utf8'));
    await store.save(evidenceRecord({ id: written.id, learner: written.learner }));
    db.prepare('UPDATE evidence SET record = ?').run(JSON.stringify(written));
    expect(await store.get(written.id)).toMatchObject({ schemaVersion: EVIDENCE_SCHEMA_VERSION, migratedFrom: 1, turns: written.turns });
  });
});

describe('expiry in the SQLite key-value store', () => {
  it('removes expired rows, which already read as absent, and keeps the rest', async () => {
    const db = freshDatabase();
    const store = new SqliteKeyValueStore(db);
    await writeAll(store, [
      { key: 'a', value: 1, ttlMs: 1000 },
      { key: 'b', value: 2, ttlMs: 1000 },
      { key: 'c', value: 3, ttlMs: 60_000 },
      { key: 'd', value: 4 },
    ]);
    expect(store.removeExpired()).toBe(0);
    expect(store.removeExpired(Date.now() + 2000)).toBe(2);
    expect(db.prepare('SELECT key FROM key_value ORDER BY key').pluck().all()).toEqual(['c', 'd']);
  });

  it('removes them at start and then on a timer, until closed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    onTestFinished(() => void vi.useRealTimers());
    const db = freshDatabase();
    const store = new SqliteKeyValueStore(db);
    const count = () => db.prepare('SELECT count(*) FROM key_value').pluck().get();
    await writeAll(store, [{ key: 'gone', value: 1, ttlMs: 1000 }]);
    vi.advanceTimersByTime(2000);
    expect(store.startRemovingExpired({ everyMs: 60_000 })).toBe(1);
    await writeAll(store, [{ key: 'soon-gone', value: 1, ttlMs: 1000 }]);
    vi.advanceTimersByTime(59_000);
    expect(count()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(count()).toBe(0);
    store.close();
    await writeAll(store, [{ key: 'stays', value: 1, ttlMs: 1000 }]);
    vi.advanceTimersByTime(120_000);
    expect(count()).toBe(1);
  });

  it('reports a sweep that fails and carries on', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    onTestFinished(() => void vi.useRealTimers());
    const db = freshDatabase();
    const failures: unknown[] = [];
    const store = new SqliteKeyValueStore(db);
    onTestFinished(() => store.close());
    store.startRemovingExpired({ everyMs: 1000, onError: (error) => failures.push(error) });
    db.close();
    vi.advanceTimersByTime(2000);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toBeInstanceOf(StoreUnavailableError);
  });
});

describe('SQLite faults', () => {
  it('gives StoreUnavailableError for writes to a read-only database, and still reads', async () => {
    const file = databaseFile();
    const writable = openSqliteDatabase(file);
    await writeAll(new SqliteKeyValueStore(writable), [{ key: 'k', value: 1 }]);
    const readOnly = new Database(file, { readonly: true });
    onTestFinished(() => {
      readOnly.close();
      writable.close();
    });
    const state = new SqliteKeyValueStore(readOnly);
    const evidence = new SqliteEvidenceStore(readOnly);
    const error = await state.write([{ key: 'k', value: 2 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/^SQLite could not write 1 state item: SQLITE_READONLY/);
    await expect(evidence.save(evidenceRecord())).rejects.toThrow(StoreUnavailableError);
    await expect(state.deleteIfUnchanged('k', 'x')).rejects.toThrow(StoreUnavailableError);
    expect((await state.read(['k'])).k?.value).toBe(1);
  });

  it('gives StoreUnavailableError when the disk is full, and the batch leaves nothing half-written', async () => {
    const db = freshDatabase();
    const store = new SqliteKeyValueStore(db);
    await writeAll(store, [{ key: 'before', value: 1 }]);
    // A database that may not grow: as a full disk looks to SQLite.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const error = await store
      .write([
        { key: 'small', value: 1 },
        { key: 'big', value: 'x'.repeat(1_000_000) },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/SQLITE_FULL/);
    expect(Object.keys(await store.read(['before', 'small', 'big']))).toEqual(['before']);
  });

  it('gives StoreUnavailableError when another process holds the write lock too long', async () => {
    const file = databaseFile();
    const db = freshDatabase(file);
    db.pragma('busy_timeout = 50');
    const other = new Database(file);
    onTestFinished(() => void other.close());
    other.exec('BEGIN IMMEDIATE');
    await expect(new SqliteKeyValueStore(db).write([{ key: 'k', value: 1 }])).rejects.toThrow(/SQLITE_BUSY/);
    await expect(new SqliteEvidenceStore(db).save(evidenceRecord())).rejects.toThrow(StoreUnavailableError);
    other.exec('ROLLBACK');
  });

  it('gives StoreUnavailableError for a closed database, and lets mistakes of the caller through as they are', async () => {
    const db = freshDatabase();
    const state = new SqliteKeyValueStore(db);
    const evidence = new SqliteEvidenceStore(db);
    await expect(state.write([{ key: 'k', value: undefined }])).rejects.toThrow(TypeError);
    await expect(evidence.list({ limit: 10, endedFrom: 'last week' })).rejects.toThrow(RangeError);
    db.close();
    await expect(state.read(['k'])).rejects.toThrow(StoreUnavailableError);
    await expect(state.read(['k'])).rejects.toThrow(/closed/);
    await expect(evidence.listFor('tenant-1/learner-1')).rejects.toThrow(StoreUnavailableError);
    await expect(evidence.list({ limit: 10 })).rejects.toThrow(StoreUnavailableError);
  });
});

describe('a large SQLite evidence table', () => {
  it('lists and filters 10,000 records, each filtered listing read in order from an index', async () => {
    const db = freshDatabase();
    // Only this test's set-up: its speed is not what is tested.
    db.pragma('synchronous = OFF');
    const store = new SqliteEvidenceStore(db);
    const scenarios = [
      { id: 'kettle-refund', title: 'Kettle', problemType: 'product' },
      { id: 'late-delivery', title: 'Late delivery', problemType: 'delivery' },
      { id: 'wrong-bill', title: 'Wrong bill', problemType: 'billing' },
    ];
    const records: EvidenceRecord[] = Array.from({ length: 10_000 }, (_, i) =>
      evidenceRecord({
        id: `rec-${String(i).padStart(5, '0')}`,
        learner: { id: `tenant-1/learner-${i % 100}` },
        scenario: scenarios[i % 3]!,
        mode: i % 5 === 0 ? 'assessment' : 'practice',
        // Ten records share each minute: the order among them is by id.
        endedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 10) * 60_000).toISOString(),
      }),
    );
    for (const record of records) await store.save(record);

    const cohort = ['tenant-1/learner-3', 'tenant-1/learner-42', 'tenant-1/learner-99'];
    const page = await store.list({ learnerIds: cohort, problemType: 'product', limit: 20, offset: 20 });
    const expected = records
      .filter((r) => cohort.includes(r.learner.id) && r.scenario.problemType === 'product')
      .sort((a, b) => b.endedAt.localeCompare(a.endedAt) || (a.id < b.id ? 1 : -1));
    expect(page.total).toBe(expected.length);
    expect(page.records.map((r) => r.id)).toEqual(expected.slice(20, 40).map((r) => r.id));
    expect((await store.list({ limit: 200, offset: 9900 })).records.map((r) => r.id)).toEqual(
      records
        .slice(0, 100)
        .map((r) => r.id)
        .reverse(),
    );
    expect(await store.listFor('tenant-1/learner-7')).toHaveLength(100);

    // Each filter alone, and none, is served by an index already in listing order: no sort of every match.
    for (const [column, index] of [
      [undefined, 'evidence_by_end'],
      ['learner_id', 'evidence_by_learner'],
      ['scenario_id', 'evidence_by_scenario'],
      ['problem_type', 'evidence_by_problem_type'],
      ['mode', 'evidence_by_mode'],
      ['review_status', 'evidence_by_review_status'],
    ] as const) {
      const where = column === undefined ? '' : `WHERE ${column} = ?`;
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT record FROM evidence ${where} ORDER BY ended_at_ms DESC, id DESC LIMIT 20`)
        .all(...(column === undefined ? [] : ['x']))
        .map((row) => (row as { detail: string }).detail)
        .join('; ');
      expect(plan).toContain(index);
      expect(plan).not.toContain('TEMP B-TREE');
    }
    // A page after a position starts at the position in the same index, however deep into the listing it is.
    const keyset = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT record FROM evidence WHERE (ended_at_ms, id) < (?, ?) ORDER BY ended_at_ms DESC, id DESC LIMIT 20',
      )
      .all(0, 'x')
      .map((row) => (row as { detail: string }).detail)
      .join('; ');
    expect(keyset).toContain('evidence_by_end ((ended_at_ms,id)<(?,?))');
    expect(keyset).not.toContain('TEMP B-TREE');
    const deep = records[4321]!;
    const byPosition = await store.list({ after: { endedAt: deep.endedAt, id: deep.id }, limit: 30 });
    expect(byPosition.records.map((r) => r.id)).toEqual(
      records
        .slice(4291, 4321)
        .map((r) => r.id)
        .reverse(),
    );
    expect(byPosition.total).toBe(10_000);
  });
});

describe('servicesim migrate', () => {
  /** Writes a file as the file stores did: state by the SHA-256 of its key, evidence under a hash of the learner's id. */
  function oldDataFolder(): { dir: string; stateFile: (key: string) => string; evidenceFile: (learnerId: string, id: string) => string } {
    const dir = temporaryFolder('servicesim-migrate-');
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const stateFile = (key: string) => path.join('state', sha256(key).slice(0, 2), `${sha256(key)}.json`);
    const evidenceFile = (learnerId: string, id: string) => path.join('evidence', sha256(learnerId).slice(0, 32), `${id}.json`);
    return { dir, stateFile, evidenceFile };
  }

  function put(dir: string, file: string, content: string): void {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }

  it('imports state and evidence once, names what it skipped, and a second run imports nothing', async () => {
    const { dir, stateFile, evidenceFile } = oldDataFolder();
    const v2 = evidenceRecord({ id: 'v2-record', reflection: 'Asked about the receipt too late.' });
    const v1 = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'evidence-record-v1.json'), 'utf8'));
    put(dir, stateFile('conversation/1'), JSON.stringify({ key: 'conversation/1', eTag: 'e1', value: { step: 3 } }));
    put(dir, stateFile('rehearsal/{r1}/1'), JSON.stringify({ key: 'rehearsal/{r1}/1', eTag: 'e2', value: { turn: 1 } }));
    put(dir, stateFile('kept-by-the-bot'), JSON.stringify({ key: 'kept-by-the-bot', eTag: 'e3', value: 'older' }));
    put(dir, stateFile('abandoned'), JSON.stringify({ key: 'abandoned', eTag: 'e4', value: 'long ago' }));
    // Untouched for a year: past STATE_EXPIRY_DAYS (30 by default), so the bot would have forgotten it.
    const yearAgo = new Date(Date.now() - 365 * 24 * 60 * 60 * 1000);
    utimesSync(path.join(dir, stateFile('abandoned')), yearAgo, yearAgo);
    put(dir, evidenceFile(v2.learner.id, v2.id), JSON.stringify(v2, null, 2));
    put(dir, evidenceFile(v1.learner.id, v1.id), JSON.stringify(v1, null, 2));
    const damaged = evidenceFile(v2.learner.id, 'cut-short');
    put(dir, damaged, '{"id": "cut-short", "turns": [{"text": "my card number is');
    // Copied by hand to another key's file name: the file store never read it as either key.
    const misplaced = stateFile('conversation/2');
    put(dir, misplaced, JSON.stringify({ key: 'conversation/3', eTag: 'e5', value: 'whose?' }));
    // Moved aside by the file store when it found it damaged.
    const setAsideEarlier = `${stateFile('conversation/1')}.damaged-1795424400000`;
    put(dir, setAsideEarlier, '{"key": "conversation/1", "val');
    // The bot has moved on since the files were written: what it keeps now must win.
    const db = openSqliteDatabase(path.join(dir, 'servicesim.db'));
    await writeAll(new SqliteKeyValueStore(db), [{ key: 'kept-by-the-bot', value: 'newer' }]);
    db.close();

    const first = runCli(['migrate'], { env: { DATA_DIR: dir } });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).not.toMatch(/card number/);
    expect(first.stdout).toBe(
      [
        `Imported from ${dir} into SQLite (${path.join(dir, 'servicesim.db')}): 2 state items (1 already there), 2 evidence records (0 already there).`,
        "3 files skipped, damaged or not ServiceSim's:",
        // State files first, then evidence, each in name order.
        ...[
          `  ${misplaced} (its key does not match its file name (moved or copied by hand?))`,
          `  ${setAsideEarlier} (set aside earlier as damaged)`,
        ].sort(),
        `  ${damaged} (not JSON)`,
        '1 state item not copied, untouched for longer than STATE_EXPIRY_DAYS:',
        `  ${stateFile('abandoned')}`,
        `The files were left in place; remove ${path.join(dir, 'state')} and ${path.join(dir, 'evidence')} once you have checked the import.`,
        '',
      ].join('\n'),
    );
    expect(first.stdout).not.toMatch(/card number/);

    const after = freshDatabase(path.join(dir, 'servicesim.db'));
    const state = new SqliteKeyValueStore(after);
    const read = await state.read([
      'conversation/1',
      'conversation/2',
      'conversation/3',
      'rehearsal/{r1}/1',
      'kept-by-the-bot',
      'abandoned',
    ]);
    expect(Object.fromEntries(Object.entries(read).map(([k, v]) => [k, v.value]))).toEqual({
      'conversation/1': { step: 3 },
      'rehearsal/{r1}/1': { turn: 1 },
      'kept-by-the-bot': 'newer',
    });
    // Imported state is forgotten as the bot's own is: STATE_EXPIRY_DAYS after it was last written.
    const expiresAt = after.prepare("SELECT expires_at FROM key_value WHERE key = 'conversation/1'").pluck().get() as number;
    expect(Math.abs(expiresAt - (statSync(path.join(dir, stateFile('conversation/1'))).mtimeMs + 30 * 24 * 60 * 60 * 1000))).toBeLessThan(
      1000,
    );
    const evidence = new SqliteEvidenceStore(after);
    expect(await evidence.get('v2-record')).toEqual(v2);
    expect(await evidence.get(v1.id)).toMatchObject({ migratedFrom: 1, reflection: v1.reflection });
    after.close();

    const second = runCli(['migrate', '--from', dir], { env: { DATA_DIR: dir } });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/: 0 state items \(3 already there\), 0 evidence records \(2 already there\)\.\n/);
  });

  it('says so when there is nothing to import, and names a folder that is not there', () => {
    const dir = temporaryFolder('servicesim-migrate-');
    expect(runCli(['migrate', '--from', dir])).toMatchObject({
      code: 0,
      stdout: `Nothing to import: ${dir} has no state or evidence files.\n`,
    });
    // Given the state folder itself: it holds no state/ or evidence/ folder, and the way out is named.
    const state = path.join(dir, 'state');
    mkdirSync(path.join(state, 'ab'), { recursive: true });
    expect(runCli(['migrate', '--from', state])).toMatchObject({
      code: 0,
      stdout: `Nothing to import: ${state} has no state or evidence files. Give the data folder that holds state/: --from ${dir}\n`,
    });
    const missing = path.join(dir, 'no-such-folder');
    expect(runCli(['migrate', '--from', missing])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `servicesim: there is no data folder at ${missing} to import from\n`,
    });
  });
});
