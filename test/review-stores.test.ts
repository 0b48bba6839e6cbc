/**
 * What the review keeps in the key-value store, on every store: memory, SQLite, one Redis and a
 * three-master Redis Cluster. Reviews appended and superseded, the tutor directory changed by two
 * writers at once, sessions that end, review notices delivered once by racing processes, and
 * cohorts joined, assigned to and left.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TutorReview } from '../engine/tutor-review.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { LocalMailbox } from '../bot/local-mailbox.ts';
import { ReviewNotices } from '../bot/review-notices.ts';
import { TutorSessions } from '../review/tutor-sessions.ts';
import { ConversationReferences } from '../store/conversation-references.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../store/redis-connection.ts';
import { RedisKeyValueStore } from '../store/redis-key-value-store.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { openSqliteDatabase } from '../store/sqlite-database.ts';
import { SqliteKeyValueStore } from '../store/sqlite-key-value-store.ts';
import { TutorDirectory, TutorDirectoryError } from '../store/tutor-directory.ts';
import { CohortStore, readJoinCode } from '../store/cohort-store.ts';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from './redis-server.ts';
import { evidenceRecord } from './store-conformance.ts';
import { makeTemporaryFolder, removeTemporaryFolder } from './temporary-folder.ts';

let server: RedisServer;
let cluster: RedisCluster;
let standalone: RedisClient;
let clustered: RedisClient;
let folder: string;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  folder = makeTemporaryFolder('servicesim-review-stores-');
  server = await startRedisServer({ args: ['--rename-command', 'KEYS', '', '--rename-command', 'SCAN', ''] });
  cluster = await startRedisCluster();
  standalone = connectRedis({ url: server.url });
  clustered = connectRedis({ url: cluster.nodes.map(({ host, port }) => `redis://${host}:${port}`).join(','), cluster: true });
}, 60_000);
afterAll(async () => {
  for (const close of closers) close();
  await Promise.all([standalone && closeRedis(standalone), clustered && closeRedis(clustered)]);
  await Promise.all([server?.stop(), cluster?.stop()]);
  if (folder) removeTemporaryFolder(folder);
});

const stores: Array<[string, () => KeyValueStore]> = [
  ['memory', () => new MemoryKeyValueStore()],
  [
    'sqlite',
    () => {
      const db = openSqliteDatabase(path.join(folder, `${randomUUID()}.db`));
      closers.push(() => db.close());
      return new SqliteKeyValueStore(db);
    },
  ],
  ['redis', () => new RedisKeyValueStore(standalone, { prefix: `t-${randomUUID()}` })],
  ['redis cluster', () => new RedisKeyValueStore(clustered, { prefix: `t-${randomUUID()}` })],
];

const review = (recordId: string, overrides: Partial<TutorReview> = {}): TutorReview => ({
  id: randomUUID(),
  recordId,
  reviewer: { id: 'ann@example.org', name: 'Ann' },
  at: new Date().toISOString(),
  dimensions: {},
  comments: [],
  feedback: 'Good.',
  verdict: 'meets-standard',
  ...overrides,
});

describe.each(stores)('%s', (_name, makeStore) => {
  it('keeps every review of a rehearsal, oldest first; the current one is the last', async () => {
    const reviews = new KeyValueReviewStore(makeStore());
    const first = review('r1', { verdict: 'needs-another-attempt' });
    const second = review('r1', { dimensions: { listening: { level: 3, reason: 'Reflected the feeling back.' } } });
    await reviews.append(first);
    await reviews.append(second);
    await reviews.append(review('r2'));
    expect((await reviews.reviewsOf('r1')).map((r) => r.id)).toEqual([first.id, second.id]);
    const current = await reviews.currentReviews(['r1', 'r2', 'r3']);
    expect(current.get('r1')?.id).toBe(second.id);
    expect(current.has('r2')).toBe(true);
    expect(current.has('r3')).toBe(false);
    expect(await reviews.reviewsOf('r3')).toEqual([]);
  });

  it('loses no review when many are appended at once', async () => {
    const store = makeStore();
    const writers = [new KeyValueReviewStore(store), new KeyValueReviewStore(store)];
    const signed = Array.from({ length: 8 }, () => review('busy'));
    await Promise.all(signed.map((r, i) => writers[i % 2]!.append(r)));
    expect((await writers[0]!.reviewsOf('busy')).map((r) => r.id).sort()).toEqual(signed.map((r) => r.id).sort());
  });

  it('refuses a review that is not one, and sets aside (and names) one stored that no longer reads', async () => {
    const store = makeStore();
    const skipped: string[] = [];
    const reviews = new KeyValueReviewStore(store, (where) => skipped.push(where));
    await expect(reviews.append({ ...review('r1'), feedback: '' })).rejects.toThrow(/feedback to the learner is required/);
    const good = review('r1');
    await store.write([{ key: 'review/{r1}', value: { reviews: [{ nonsense: true }, good] } }]);
    expect((await reviews.reviewsOf('r1')).map((r) => r.id)).toEqual([good.id]);
    expect(skipped).toEqual(['review/{r1}#0']);
  });

  it('keeps tutor accounts: emails normalised, updates keep learners and tokens, two writers at once both land', async () => {
    const store = makeStore();
    const directory = new TutorDirectory(store);
    expect(await directory.put({ email: ' Ann@Example.ORG ', role: 'admin', passwordHash: 'scrypt$x' })).toBe('added');
    await directory.changeLearners('ann@example.org', { add: ['l1'] });
    const { token } = await directory.issueToken('ann@example.org');
    expect(await directory.put({ email: 'ann@example.org', role: 'tutor', name: 'Ann' })).toBe('updated');
    const ann = await directory.get('ANN@example.org');
    expect(ann).toMatchObject({ email: 'ann@example.org', role: 'tutor', name: 'Ann', passwordHash: 'scrypt$x', learners: ['l1'] });
    expect((await directory.tutorForToken(token))?.email).toBe('ann@example.org');
    await expect(directory.put({ email: 'not an email', role: 'tutor' })).rejects.toThrow(TutorDirectoryError);
    const other = new TutorDirectory(store);
    await Promise.all([
      directory.changeLearners('ann@example.org', { add: ['l2'] }),
      other.changeLearners('ann@example.org', { add: ['l3'] }),
      other.put({ email: 'tess@example.org', role: 'tutor' }),
    ]);
    expect((await directory.get('ann@example.org'))?.learners.sort()).toEqual(['l1', 'l2', 'l3']);
    expect((await directory.list()).map((t) => t.email)).toEqual(['ann@example.org', 'tess@example.org']);
    expect(await directory.revokeTokens('ann@example.org')).toBe(1);
    expect(await directory.tutorForToken(token)).toBeUndefined();
    expect(await directory.remove('ann@example.org')).toBe(true);
    expect(await directory.remove('ann@example.org')).toBe(false);
  });

  it('refuses to read a damaged directory as empty, which would lock every tutor out and lose the accounts on the next write', async () => {
    const store = makeStore();
    await store.write([{ key: 'tutors/directory', value: { tutors: 'garbage' } }]);
    const directory = new TutorDirectory(store);
    await expect(directory.list()).rejects.toThrow(/does not read/);
    await expect(directory.put({ email: 'a@example.org', role: 'admin' })).rejects.toThrow(/does not read/);
    expect((await store.read(['tutors/directory']))['tutors/directory']?.value).toEqual({ tutors: 'garbage' });
  });

  it('ends a session at sign-out and when it runs out', async () => {
    const sessions = new TutorSessions(makeStore(), 300);
    const { id, session } = await sessions.start('ann@example.org', 'password');
    expect(await sessions.find(id)).toEqual(session);
    expect(await sessions.find(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await sessions.find('../../etc/passwd')).toBeUndefined();
    await sleep(600);
    expect(await sessions.find(id)).toBeUndefined();
    const again = await sessions.start('ann@example.org', 'oidc');
    await sessions.end(again.id);
    expect(await sessions.find(again.id)).toBeUndefined();
  });

  it('queues every notice when many reviews are signed at once in several processes', async () => {
    const store = makeStore();
    const library = await loadLibrary();
    const parts = {
      store,
      references: new ConversationReferences(store),
      library,
      deliver: async () => {
        throw new Error('channel down');
      },
      logger: pino({ level: 'silent' }),
    };
    const processes = [1, 2, 3, 4].map(() => new ReviewNotices(parts));
    const records = Array.from({ length: 24 }, (_, i) => evidenceRecord({ id: `busy-${i}-${randomUUID()}` }));
    for (const record of records) await parts.references.remember(record.id, { conversation: { id: record.id } });
    await Promise.all(records.map((record, i) => processes[i % 4]!.reviewSigned(record, review(record.id))));
    expect(await processes[0]!.pending()).toBe(24);
  });

  it('delivers a review notice once, though two processes try it at once, and keeps it until delivered', async () => {
    const store = makeStore();
    const library = await loadLibrary();
    const record = evidenceRecord({ id: `rec-${randomUUID()}` });
    await new ConversationReferences(store).remember(record.id, { conversation: { id: 'c1' } });
    const delivered: string[] = [];
    let up = false;
    const deliver = async (reference: unknown, text: string) => {
      if (!up) throw new Error('channel down');
      await sleep(20);
      delivered.push(`${(reference as { conversation: { id: string } }).conversation.id}: ${text.slice(0, 40)}`);
    };
    const logger = pino({ level: 'silent' });
    const parts = { store, references: new ConversationReferences(store), library, deliver, logger, retryDelaysMs: [0] };
    const [one, two] = [new ReviewNotices(parts), new ReviewNotices(parts)];
    expect(await one.reviewSigned(record, review(record.id))).toBe('queued');
    expect(await two.pending()).toBe(1);
    up = true;
    const counts = await Promise.all([one.retryDue(), two.retryDue()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatch(/^c1: \*\*Your tutor Ann has reviewed/);
    expect(await one.pending()).toBe(0);
  });
});

describe('a review notice whose tidying up fails after it was sent', () => {
  /** The memory store, with writes to keys matching `failing` refused while it is set. */
  class FailingWrites extends MemoryKeyValueStore {
    failing: RegExp | undefined;
    override async write(entries: Parameters<MemoryKeyValueStore['write']>[0]) {
      if (this.failing && entries.some((e) => this.failing!.test(e.key))) throw new Error('store write failed');
      return super.write(entries);
    }
  }

  async function sendWith(failing: RegExp) {
    const store = new FailingWrites();
    const record = evidenceRecord({ id: `rec-${randomUUID()}` });
    await new ConversationReferences(store).remember(record.id, { conversation: { id: 'c1' } });
    const sent: string[] = [];
    const notices = new ReviewNotices({
      store,
      references: new ConversationReferences(store),
      library: await loadLibrary(),
      // The channel takes the message; then the store starts refusing the tidying-up write.
      deliver: async (_reference, text) => {
        sent.push(text);
        store.failing = failing;
      },
      logger: pino({ level: 'silent' }),
      retryDelaysMs: [0],
      leaseMs: 200,
    });
    expect(await notices.reviewSigned(record, review(record.id))).toBe('delivered');
    store.failing = undefined;
    return { notices, sent };
  }

  it('leaves the queue later, unsent, when leaving it failed', async () => {
    const { notices, sent } = await sendWith(/^review-notices\/outbox\//);
    expect(await notices.pending()).toBe(1);
    await sleep(300);
    expect(await notices.retryDue()).toBe(0);
    expect(await notices.pending()).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('is not sent again while its lease lasts when its delivered mark could not be written', async () => {
    const { notices, sent } = await sendWith(/^review-notice-delivered\//);
    expect(await notices.retryDue()).toBe(0);
    expect(sent).toHaveLength(1);
  });
});

describe.each(stores)('cohorts on %s', (_name, makeStore) => {
  it('are created with a join code, listed for the tutors who teach them (an admin: all), and joined by learners', async () => {
    const cohorts = new CohortStore(makeStore());
    const mine = await cohorts.create({ name: 'CS17 Tuesday', unit: 'CS17', tutor: 'Ann@Example.org' });
    const theirs = await cohorts.create({ name: 'Evening', tutor: 'tess@example.org' });
    expect(mine.joinCode).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(mine.joinCode).not.toBe(theirs.joinCode);
    expect((await cohorts.listFor({ email: 'ann@example.org', role: 'tutor' })).map((c) => c.name)).toEqual(['CS17 Tuesday']);
    expect((await cohorts.listFor({ email: 'boss@example.org', role: 'admin' })).map((c) => c.name)).toEqual(['CS17 Tuesday', 'Evening']);
    // As a learner types it: lower case, a dash, spaces.
    const typed = ` ${mine.joinCode.slice(0, 3).toLowerCase()}-${mine.joinCode.slice(3)} `;
    const joined = await cohorts.join(typed, { id: 'learner-1', name: 'Priya Shah' });
    expect(joined).toMatchObject({ already: false, cohort: { id: mine.id } });
    expect(await cohorts.join(mine.joinCode, { id: 'learner-1', name: 'Priya Shah' })).toMatchObject({ already: true });
    expect(await cohorts.join('ZZZZZZ', { id: 'learner-1' })).toBe('unknown');
    expect(await cohorts.join('not a code', { id: 'learner-1' })).toBe('unknown');
    expect(await cohorts.learnersOf('ann@example.org')).toEqual(['learner-1']);
    expect(await cohorts.learnersOf('tess@example.org')).toEqual([]);
    expect((await cohorts.cohortsOf('learner-1')).map((c) => c.id)).toEqual([mine.id]);
    await cohorts.rename('learner-1', 'Priya S.');
    expect((await cohorts.get(mine.id))?.members).toEqual([expect.objectContaining({ learnerId: 'learner-1', name: 'Priya S.' })]);
  });

  it('loses no learner when a class joins at once', async () => {
    const store = makeStore();
    const cohort = await new CohortStore(store).create({ name: 'Busy', tutor: 'ann@example.org' });
    const learners = Array.from({ length: 12 }, (_, i) => `learner-${i}`);
    await Promise.all(learners.map((id) => new CohortStore(store).join(cohort.joinCode, { id, name: id })));
    expect((await new CohortStore(store).get(cohort.id))?.members.map((m) => m.learnerId).sort()).toEqual([...learners].sort());
  });

  it('keeps one assignment per scenario and mode (assigning again moves its due date), and removes one', async () => {
    const cohorts = new CohortStore(makeStore());
    const { id } = await cohorts.create({ name: 'A', tutor: 'ann@example.org' });
    const first = await cohorts.assign(id, {
      scenarioId: 'faulty-washing-machine',
      due: '2026-12-04',
      mode: 'practice',
      setBy: 'ann@example.org',
    });
    const again = await cohorts.assign(id, {
      scenarioId: 'faulty-washing-machine',
      due: '2026-12-11',
      mode: 'practice',
      setBy: 'ann@example.org',
    });
    await cohorts.assign(id, { scenarioId: 'faulty-washing-machine', due: '2026-12-18', mode: 'assessment', setBy: 'ann@example.org' });
    expect(again?.id).toBe(first?.id);
    expect((await cohorts.get(id))?.assignments.map((a) => [a.mode, a.due])).toEqual([
      ['practice', '2026-12-11'],
      ['assessment', '2026-12-18'],
    ]);
    await expect(cohorts.assign(id, { scenarioId: 'x', due: '4 December', mode: 'practice', setBy: 'ann@example.org' })).rejects.toThrow();
    expect(await cohorts.assign('no-such-cohort', { scenarioId: 'x', due: '2026-12-04', mode: 'practice', setBy: 'a' })).toBeUndefined();
    expect(await cohorts.unassign(id, first!.id)).toBe(true);
    expect(await cohorts.unassign(id, first!.id)).toBe(false);
    expect((await cohorts.get(id))?.assignments).toHaveLength(1);
  });

  it("forgets an erased learner in every cohort, and the learner's own list of cohorts", async () => {
    const cohorts = new CohortStore(makeStore());
    const a = await cohorts.create({ name: 'A', tutor: 'ann@example.org' });
    const b = await cohorts.create({ name: 'B', tutor: 'ann@example.org' });
    await cohorts.join(a.joinCode, { id: 'gone', name: 'Gone' });
    await cohorts.join(b.joinCode, { id: 'gone', name: 'Gone' });
    await cohorts.join(b.joinCode, { id: 'stays', name: 'Stays' });
    expect(await cohorts.eraseLearner('gone')).toBe(2);
    expect(await cohorts.cohortsOf('gone')).toEqual([]);
    expect(await cohorts.learnersOf('ann@example.org')).toEqual(['stays']);
  });

  it('refuses to read a damaged cohort as missing, which would lose its members on the next write', async () => {
    const store = makeStore();
    const cohorts = new CohortStore(store);
    const { id, joinCode } = await cohorts.create({ name: 'A', tutor: 'ann@example.org' });
    await store.write([{ key: `cohort/{${id}}`, value: { members: 'garbage' } }]);
    await expect(cohorts.get(id)).rejects.toThrow(/does not read/);
    await expect(cohorts.join(joinCode, { id: 'l' })).rejects.toThrow(/does not read/);
  });

  it('stops a learner guessing codes after 10 wrong ones in an hour, counted across processes', async () => {
    const store = makeStore();
    const { joinCode } = await new CohortStore(store).create({ name: 'A', tutor: 'ann@example.org' });
    for (let i = 0; i < 10; i++) expect(await new CohortStore(store).join(`WRONG${i}`, { id: 'guesser' })).toBe('unknown');
    expect(await new CohortStore(store).join(joinCode, { id: 'guesser' })).toBe('too many tries');
    // Another learner is not held up by the guesser.
    expect(await new CohortStore(store).join(joinCode, { id: 'someone-else' })).toMatchObject({ already: false });
  });
});

describe('join codes', () => {
  it('read as typed, without look-alike letters', () => {
    expect(readJoinCode('k7q-m4x')).toBe('K7QM4X');
    expect(readJoinCode('K7QM4')).toBeUndefined();
    expect(readJoinCode('K7QM40')).toBeUndefined();
  });
});

describe('the local page mailbox', () => {
  it('keeps a message posted twice under one id once, and reading it changes nothing', async () => {
    const mailbox = new LocalMailbox(new MemoryKeyValueStore());
    await mailbox.post('c1', 'review-1', { type: 'message', text: 'Reviewed.' });
    await mailbox.post('c1', 'review-1', { type: 'message', text: 'Reviewed.' });
    await mailbox.post('c1', 'review-2', { type: 'message', text: 'Reviewed again.' });
    expect((await mailbox.waiting('c1')).map((a) => a.id)).toEqual(['review-1', 'review-2']);
    expect((await mailbox.waiting('c1')).map((a) => a.id)).toEqual(['review-1', 'review-2']);
    expect(await mailbox.waiting('c2')).toEqual([]);
  });
});
