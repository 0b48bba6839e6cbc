/**
 * The xAPI outbox against a stand-in learning record store over real HTTP, on the memory store and
 * on SQLite: statements are delivered; an LRS that is down, busy or refusing delays them and loses
 * none; a batch sent again is stored once; a batch about an erased record is discarded; two bot
 * processes send each batch once; a process stopped between two steps loses nothing it queued; and
 * the logs name batches, never statements or credentials.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { TutorReview } from '../engine/tutor-review.ts';
import { xapiBatchesOf, type XapiBatch } from '../engine/xapi-statements.ts';
import { StoreUnavailableError, type KeyValueStore } from '../store/key-value-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { openSqliteDatabase } from '../store/sqlite-database.ts';
import { SqliteKeyValueStore } from '../store/sqlite-key-value-store.ts';
import { XapiOutbox, type XapiOutboxParts } from '../store/xapi-outbox.ts';
import { startLrsStandIn, type LrsStandIn } from './lrs-stand-in.ts';
import { evidenceRecord, reportWith } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

const CREDENTIALS = { username: 'servicesim', password: 'correct horse battery staple' };
const SITE = 'https://servicesim.example.ac.uk';
const FEEDBACK = 'Lovely empathy with the customer; check your refund limit next time.';
/** Retry delays short enough to step past with the test's clock: 1 s, 10 s, then 100 s for good. */
const DELAYS = [1_000, 10_000, 100_000];

const review = (id: string, recordId: string): TutorReview => ({
  id,
  recordId,
  reviewer: { id: 'tutor-7', name: 'Alex Tutor' },
  at: '2026-11-24T09:00:00.000Z',
  dimensions: {},
  comments: [],
  feedback: FEEDBACK,
  verdict: 'meets-standard',
});

/** A rehearsal's batch (2 statements) and one review's (1 statement). */
function batchesOf(recordId: string, dimensionNames: Record<string, string> = {}): XapiBatch[] {
  const record = evidenceRecord({
    id: recordId,
    learner: { id: `tenant-1/${recordId}-learner`, name: 'Sam Learner' },
    report: reportWith([2, 1]),
  });
  return xapiBatchesOf(record, [review(`rev-${recordId}`, recordId)], { homePage: SITE, dimensionNames });
}

let lrs: LrsStandIn;
afterEach(async () => {
  await lrs?.close();
});

interface Setup {
  store: KeyValueStore;
  outbox: XapiOutbox;
  clock: { now: number };
  logs: string[];
  outboxOn(store: KeyValueStore, overrides?: Partial<XapiOutboxParts>): XapiOutbox;
}

/** The outbox on this store, with a clock the test moves, and a logger whose lines the test reads. */
async function setUp(makeStore: () => KeyValueStore, overrides: Partial<XapiOutboxParts> = {}): Promise<Setup> {
  lrs = await startLrsStandIn(CREDENTIALS);
  const clock = { now: Date.parse('2026-11-24T12:00:00Z') };
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const store = makeStore();
  const outboxOn = (on: KeyValueStore, more: Partial<XapiOutboxParts> = {}) =>
    new XapiOutbox({
      store: on,
      lrs: { endpoint: lrs.endpoint, ...CREDENTIALS },
      logger,
      now: () => clock.now,
      retryDelaysMs: DELAYS,
      ...overrides,
      ...more,
    });
  return { store, outbox: outboxOn(store), clock, logs, outboxOn };
}

const ids = (batches: XapiBatch[]) => batches.flatMap((b) => b.statements.map((s) => s.id!));

function outboxBehaviour(name: string, makeStore: () => KeyValueStore): void {
  describe(`the xAPI outbox on ${name}`, () => {
    it('delivers queued statements to the LRS, with the version header and Basic credentials, and then holds none', async () => {
      const { store, outbox } = await setUp(makeStore);
      const batches = batchesOf('r1');
      for (const batch of batches) await outbox.enqueue(batch);
      expect(await outbox.pending()).toBe(3);

      expect(await outbox.sendDue()).toBe(3);
      expect(await outbox.pending()).toBe(0);
      expect([...lrs.statements.keys()].sort()).toEqual(ids(batches).sort());
      expect(lrs.posts.map((p) => p.authorization)).toEqual([
        `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
        expect.any(String),
      ]);
      // What the LRS returns for one id is what was built.
      const completed = batches[0]!.statements[1]!;
      const fetched = await fetch(`${lrs.endpoint}statements?statementId=${completed.id}`, {
        headers: { 'X-Experience-API-Version': '1.0.3', Authorization: lrs.posts[0]!.authorization! },
      });
      expect(await fetched.json()).toEqual(completed);
      expect(await outbox.sendDue()).toBe(0);
      expect(lrs.posts).toHaveLength(2);
      // Nothing of the statements is left behind in the store once they are sent.
      expect(await store.read(batches.map((b) => `xapi-outbox/batch/${b.id}`))).toEqual({});
    });

    it('keeps a batch while the LRS answers 503, and delivers it once the LRS is back and the batch is due', async () => {
      const { outbox, clock } = await setUp(makeStore);
      const [rehearsal] = batchesOf('r1');
      await outbox.enqueue(rehearsal!);
      lrs.behave({ kind: 'down' });
      expect(await outbox.sendDue()).toBe(0);
      expect(await outbox.pending()).toBe(2);

      lrs.behave({ kind: 'working' });
      expect(await outbox.sendDue()).toBe(0);
      expect(lrs.posts).toHaveLength(1);
      clock.now += DELAYS[0]!;
      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.statements.size).toBe(2);
      expect(await outbox.pending()).toBe(0);
    });

    it('keeps a batch while nothing listens at the endpoint, waiting longer after each failure, and delivers it when the LRS is back', async () => {
      const { outbox, clock, logs } = await setUp(makeStore);
      await outbox.enqueue(batchesOf('r1')[0]!);
      await lrs.close();
      expect(await outbox.sendDue()).toBe(0);
      clock.now += DELAYS[0]!;
      expect(await outbox.sendDue()).toBe(0);
      // The second failure waits the second delay: the first is not enough now.
      clock.now += DELAYS[0]!;
      expect(await outbox.sendDue()).toBe(0);
      expect(logs.filter((l) => l.includes('xAPI batch not sent'))).toHaveLength(2);
      expect(logs.at(-1)).toContain('ECONNREFUSED');

      await lrs.start();
      clock.now += DELAYS[1]!;
      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.statements.size).toBe(2);
    });

    it('waits as long as a 429 Retry-After asks before trying again', async () => {
      const { outbox, clock } = await setUp(makeStore);
      await outbox.enqueue(batchesOf('r1')[0]!);
      lrs.behave({ kind: 'busy', retryAfterSeconds: 120 });
      expect(await outbox.sendDue()).toBe(0);
      lrs.behave({ kind: 'working' });

      clock.now += 60_000; // past the first retry delay, short of Retry-After
      expect(await outbox.sendDue()).toBe(0);
      expect(lrs.posts).toHaveLength(1);
      clock.now += 60_000;
      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.posts).toHaveLength(2);
    });

    it('keeps a batch the LRS refuses, marked with the status, and tries it again only at the longest delay', async () => {
      const { outbox, clock, logs } = await setUp(makeStore);
      await outbox.enqueue(batchesOf('r1')[0]!);
      lrs.behave({ kind: 'refusing' });
      expect(await outbox.sendDue()).toBe(0);
      expect(await outbox.pending()).toBe(2);
      const warning = JSON.parse(logs.find((l) => l.includes('refuses'))!);
      expect(warning).toMatchObject({ level: 40, batch: 'rehearsal/r1', status: 400, reason: 'the LRS finds the statements invalid' });

      lrs.behave({ kind: 'working' });
      clock.now += DELAYS[1]!;
      expect(await outbox.sendDue()).toBe(0);
      clock.now += DELAYS[2]! - DELAYS[1]!;
      expect(await outbox.sendDue()).toBe(2);
    });

    it('sends a batch again without the LRS storing anything twice, and takes a 409 for an id it has as sent', async () => {
      const { outbox } = await setUp(makeStore);
      const [rehearsal] = batchesOf('r1');
      await outbox.enqueue(rehearsal!);
      await outbox.sendDue();
      await outbox.enqueue(rehearsal!);
      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.statements.size).toBe(2);

      // Built again with dimension names: the same ids, other content. The LRS keeps the first (409).
      const [renamed] = batchesOf('r1', { 'dimension-0': 'Listening' });
      await outbox.enqueue(renamed!);
      expect(await outbox.sendDue()).toBe(2);
      expect(await outbox.pending()).toBe(0);
      expect(lrs.statements.get(rehearsal!.statements[1]!.id!)).toEqual(rehearsal!.statements[1]);
    });

    it('discards the queued batches about a record whose learner is erased, and only those', async () => {
      const { store, outbox, clock } = await setUp(makeStore);
      for (const batch of [...batchesOf('r1'), ...batchesOf('r2')]) await outbox.enqueue(batch);
      lrs.behave({ kind: 'down' });
      await outbox.sendDue();

      expect(await outbox.discardFor('r1')).toBe(3);
      expect(await outbox.pending()).toBe(3);
      expect(await store.read(batchesOf('r1').map((b) => `xapi-outbox/batch/${b.id}`))).toEqual({});
      expect(await outbox.discardFor('r1')).toBe(0);
      lrs.behave({ kind: 'working' });
      clock.now += DELAYS[0]!;
      expect(await outbox.sendDue()).toBe(3);
      expect([...lrs.statements.keys()].sort()).toEqual(ids(batchesOf('r2')).sort());
    });

    it('refuses a statement that breaks the xAPI rules, or has no id, as the bug it is, and queues nothing', async () => {
      const { outbox } = await setUp(makeStore);
      const [rehearsal] = batchesOf('r1');
      const broken = structuredClone(rehearsal!);
      broken.statements[1]!.result!.score!.scaled = 1.5;
      await expect(outbox.enqueue(broken)).rejects.toThrow(
        'xAPI batch "rehearsal/r1", statement 1: result.score.scaled: must be between -1 and 1',
      );
      const anonymous = structuredClone(rehearsal!);
      delete anonymous.statements[0]!.id;
      await expect(outbox.enqueue(anonymous)).rejects.toThrow(/statement 0: id: is required/);
      await expect(outbox.enqueue({ ...rehearsal!, statements: [rehearsal!.statements[0]!, rehearsal!.statements[0]!] })).rejects.toThrow(
        /used twice/,
      );
      await expect(outbox.enqueue({ ...rehearsal!, statements: [] })).rejects.toThrow(/has no statements/);
      expect(await outbox.pending()).toBe(0);
    });

    it('sends each batch once when two bot processes send at the same time', async () => {
      const { store, outbox, outboxOn } = await setUp(makeStore);
      const other = outboxOn(store);
      const batches = ['r1', 'r2', 'r3'].flatMap((id) => batchesOf(id));
      for (const batch of batches) await outbox.enqueue(batch);

      const [a, b] = await Promise.all([outbox.sendDue(), other.sendDue()]);
      expect(a + b).toBe(9);
      expect(lrs.posts).toHaveLength(6);
      expect(lrs.statements.size).toBe(9);
      expect(await other.pending()).toBe(0);
    });

    it('keeps the newer statements of a batch queued again while its older ones were being sent', async () => {
      let duringSend: (() => Promise<void>) | undefined;
      const { outbox } = await setUp(makeStore, {
        fetch: async (input, init) => {
          const hook = duringSend;
          duringSend = undefined;
          await hook?.();
          return fetch(input, init);
        },
      });
      const [first] = batchesOf('r1');
      const [renamed] = batchesOf('r1', { 'dimension-0': 'Listening' });
      await outbox.enqueue(first!);
      duringSend = () => outbox.enqueue(renamed!);
      expect(await outbox.sendDue()).toBe(2);
      expect(await outbox.pending()).toBe(2);
      expect(lrs.posts).toHaveLength(1);
      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.posts.at(-1)!.body).toEqual(renamed!.statements);
      expect(await outbox.pending()).toBe(0);
    });

    it('loses nothing when the store fails after a send: the batch is sent again, and stored once', async () => {
      const faults = new FaultyStore(makeStore());
      const { outboxOn } = await setUp(makeStore);
      const outbox = outboxOn(faults);
      await outbox.enqueue(batchesOf('r1')[0]!);
      faults.failNext = (operation, key) => operation === 'deleteIfUnchanged' && key.startsWith('xapi-outbox/batch/');
      await expect(outbox.sendDue()).rejects.toThrow(StoreUnavailableError);
      expect(await outbox.pending()).toBe(2);

      expect(await outbox.sendDue()).toBe(2);
      expect(lrs.posts).toHaveLength(2);
      expect(lrs.statements.size).toBe(2);
      expect(await outbox.pending()).toBe(0);
    });

    it('clears an enqueue cut short before its statements were stored, once it is older than a lease', async () => {
      const faults = new FaultyStore(makeStore());
      const { outboxOn, clock } = await setUp(makeStore);
      const outbox = outboxOn(faults, { leaseMs: 60_000 });
      faults.failNext = (operation, key) => operation === 'write' && key.startsWith('xapi-outbox/batch/');
      await expect(outbox.enqueue(batchesOf('r1')[0]!)).rejects.toThrow(StoreUnavailableError);

      // It may still be under way: left alone for a lease.
      expect(await outbox.sendDue()).toBe(0);
      expect(await outbox.pending()).toBe(2);
      clock.now += 60_000;
      expect(await outbox.sendDue()).toBe(0);
      expect(await outbox.pending()).toBe(0);
      expect(lrs.posts).toHaveLength(0);
    });

    it('never logs statements or credentials', async () => {
      const { outbox, clock, logs } = await setUp(makeStore);
      for (const batch of batchesOf('r1')) await outbox.enqueue(batch);
      for (const behaviour of [{ kind: 'down' }, { kind: 'busy', retryAfterSeconds: 5 }, { kind: 'refusing' }] as const) {
        lrs.behave(behaviour);
        await outbox.sendDue();
        clock.now += DELAYS[2]!;
      }
      await lrs.close();
      await outbox.sendDue();
      expect(logs.length).toBeGreaterThanOrEqual(8);
      const logged = logs.join('\n');
      for (const secret of [
        'Sam Learner',
        'r1-learner',
        FEEDBACK,
        'Alex Tutor',
        CREDENTIALS.password,
        Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64'),
      ])
        expect(logged).not.toContain(secret);
      expect(logged).toContain('rehearsal/r1');
    });
  });
}

/** A store that fails the next operation the test names, as a disk that fills or a Redis that goes away would. */
class FaultyStore implements KeyValueStore {
  failNext: ((operation: 'write' | 'delete' | 'deleteIfUnchanged', key: string) => boolean) | undefined;

  constructor(private readonly inner: KeyValueStore) {}

  read: KeyValueStore['read'] = (keys) => this.inner.read(keys);

  write: KeyValueStore['write'] = async (entries) => {
    for (const { key } of entries) this.fault('write', key);
    return this.inner.write(entries);
  };

  delete: KeyValueStore['delete'] = async (keys) => {
    for (const key of keys) this.fault('delete', key);
    return this.inner.delete(keys);
  };

  deleteIfUnchanged: KeyValueStore['deleteIfUnchanged'] = async (key, eTag) => {
    this.fault('deleteIfUnchanged', key);
    return this.inner.deleteIfUnchanged(key, eTag);
  };

  private fault(operation: 'write' | 'delete' | 'deleteIfUnchanged', key: string): void {
    if (!this.failNext?.(operation, key)) return;
    this.failNext = undefined;
    throw new StoreUnavailableError(`the store failed to ${operation} "${key}"`);
  }
}

outboxBehaviour('the memory store', () => new MemoryKeyValueStore());
outboxBehaviour('SQLite', () => {
  const db = openSqliteDatabase(path.join(temporaryFolder('servicesim-xapi-'), 'servicesim.db'));
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return new SqliteKeyValueStore(db);
});

describe('the xAPI outbox settings', () => {
  const logger = pino({ level: 'silent' });
  const store = new MemoryKeyValueStore();

  it('accepts an endpoint with or without a trailing slash', async () => {
    lrs = await startLrsStandIn(CREDENTIALS);
    for (const endpoint of [lrs.endpoint, lrs.endpoint.replace(/\/$/, '')]) {
      const outbox = new XapiOutbox({ store: new MemoryKeyValueStore(), lrs: { endpoint, ...CREDENTIALS }, logger });
      await outbox.enqueue(batchesOf('r1')[0]!);
      expect(await outbox.sendDue()).toBe(2);
    }
  });

  it('refuses an endpoint that is not an http(s) URL, or holds credentials, and a password with no username', () => {
    expect(() => new XapiOutbox({ store, lrs: { endpoint: 'lrs.example.ac.uk/xapi' }, logger })).toThrow(/must be an http\(s\) URL/);
    expect(() => new XapiOutbox({ store, lrs: { endpoint: 'https://user:secret@lrs.example.ac.uk/xapi/' }, logger })).toThrow(
      /must not hold credentials/,
    );
    expect(() => new XapiOutbox({ store, lrs: { endpoint: 'https://lrs.example.ac.uk/xapi/', password: 'secret' }, logger })).toThrow(
      /password was given without a username/,
    );
  });
});
