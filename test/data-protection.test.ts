/**
 * Erasing a learner, and the retention period, on every store (memory, SQLite, Redis): each thing
 * kept about a learner is written by its real owner (the review store, the conversation
 * references, the review notices, the rehearsal log, bot state as botbuilder keys it, the tutor
 * directory, the audit log, a holder of other parts' data), then the raw stores are read whole
 * (every SQLite row, every Redis key and what it holds, every object in memory) for anything
 * about the erased learner; another learner's data must be untouched.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ReviewNotices } from '../bot/review-notices.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { learnerDataCopy, privacyText } from '../engine/learner-data-copy.ts';
import type { Exchange } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { AuditLog, learnerReference } from '../store/audit-log.ts';
import { ConversationReferences } from '../store/conversation-references.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { writeAll, type KeyValueStore } from '../store/key-value-store.ts';
import { learnerDataHolders } from '../store/learner-data-holders.ts';
import { LearnerErasure } from '../store/learner-erasure.ts';
import { CohortStore, reminderKeysOf, type Cohort } from '../store/cohort-store.ts';
import { XapiOutbox } from '../store/xapi-outbox.ts';
import { DataCopyLinks } from '../store/data-copy-links.ts';
import { xapiBatchesOf } from '../engine/xapi-statements.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../store/redis-connection.ts';
import { RedisEvidenceStore } from '../store/redis-evidence-store.ts';
import { RedisKeyValueStore } from '../store/redis-key-value-store.ts';
import { RehearsalLog } from '../store/rehearsal-log.ts';
import { Retention } from '../store/retention.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { openSqliteDatabase } from '../store/sqlite-database.ts';
import { SqliteEvidenceStore } from '../store/sqlite-evidence-store.ts';
import { SqliteKeyValueStore } from '../store/sqlite-key-value-store.ts';
import { TutorDirectory } from '../store/tutor-directory.ts';
import { OpenRehearsals } from '../store/open-rehearsals.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';
import { evidenceRecord, reportWith } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

interface Stores {
  evidence: EvidenceStore;
  state: KeyValueStore;
  /** Everything the stores hold, as text: keys, values, index entries and all. */
  everything(): Promise<string>;
  /** For Redis only: deletes a stored record's key by hand, as a delete cut short after its first step would leave it. */
  dropRecordKeyOnly?(id: string): Promise<void>;
}

let redisServer: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = connectRedis({ url: redisServer.url });
}, 60_000);
afterAll(async () => {
  if (redis) await closeRedis(redis);
  await redisServer?.stop();
});

const STORES: [string, () => Promise<Stores>][] = [
  [
    'memory',
    async () => {
      const evidence = new MemoryEvidenceStore();
      const state = new MemoryKeyValueStore();
      const whole = (value: unknown) => inspect(value, { depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity });
      return { evidence, state, everything: async () => `${whole(evidence)}\n${whole(state)}` };
    },
  ],
  [
    'sqlite',
    async () => {
      const db = openSqliteDatabase(`${temporaryFolder('servicesim-erasure-')}/servicesim.db`);
      onTestFinished(() => void db.close());
      return { evidence: new SqliteEvidenceStore(db), state: new SqliteKeyValueStore(db), everything: async () => everyRow(db) };
    },
  ],
  [
    'redis',
    async () => {
      const prefix = `test-${randomUUID()}`;
      return {
        evidence: new RedisEvidenceStore(redis, { prefix }),
        state: new RedisKeyValueStore(redis, { prefix }),
        everything: () => everyRedisKey(prefix),
        dropRecordKeyOnly: async (id) => void (await redis.del(`${prefix}:evidence:{${id}}`)),
      };
    },
  ],
];

/** Every row of every table, as JSON. */
function everyRow(db: Database.Database): string {
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  return tables.map((table) => `${table}: ${JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())}`).join('\n');
}

/** Every key under the prefix and all it holds, whatever its type. */
async function everyRedisKey(prefix: string): Promise<string> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const lines: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const content =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? await redis.hgetall(key)
          : type === 'zset'
            ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'list'
                ? await redis.lrange(key, '0', '-1')
                : `(${type})`;
    lines.push(`${key} ${JSON.stringify(content)}`);
  }
  return lines.join('\n');
}

const ERASED = { id: 'tenant-1/learner-ada', name: 'Ada Lovegrove', channelUser: 'user-ada-29', conversation: 'conv-ada-77' };
const KEPT = { id: 'tenant-1/learner-kit', name: 'Kit Keeper', channelUser: 'user-kit-31', conversation: 'conv-kit-42' };
/** A word only the erased learner's transcripts and reviews use, and one only the other learner's do. */
const ERASED_WORD = 'Zanzibarian';
const KEPT_WORD = 'Quokkaish';
/** Only the retention test's old records use this. */
const OLD_WORD = 'Wombatine';
const TUTOR = 'tom.tutor@example.ac.uk';
const NOW = new Date('2026-12-31T12:00:00.000Z');

type Person = typeof ERASED;

function recordOf(person: Person, id: string, word: string, endedAt: string): EvidenceRecord {
  return evidenceRecord({
    id,
    learner: { id: person.id, name: person.name },
    endedAt,
    turns: [
      { role: 'customer', text: 'My kettle broke.' },
      { role: 'learner', text: `I am sorry, that sounds ${word}.` },
      { role: 'customer', text: 'It is.' },
    ],
    reflection: `I was too ${word}.`,
    report: reportWith([1, 2]),
  });
}

function reviewOf(recordId: string, word: string): TutorReview {
  return {
    id: `review-${recordId}`,
    recordId,
    reviewer: { id: TUTOR, name: 'Tom Tutor' },
    at: '2026-12-01T09:00:00.000Z',
    dimensions: {},
    comments: [{ turn: 2, text: `Less ${word}, please.` }],
    feedback: `Good work, if ${word}.`,
    verdict: 'meets-standard',
  };
}

/** The cohort both learners are in, one per set of stores (made by `keepEverythingAbout`). */
const cohortOf = new WeakMap<KeyValueStore, Cohort>();

/**
 * Everything kept about a person and their rehearsals, each written by its owner: records, reviews,
 * the conversation each was held in, a notice delivered and one waiting, a rehearsal log left over,
 * bot state, local page messages, a tutor's list, a cohort, and an audit entry of a data copy.
 */
async function keepEverythingAbout(
  stores: Stores,
  audit: AuditLog,
  person: Person,
  word: string,
  records: EvidenceRecord[],
): Promise<void> {
  const { evidence, state } = stores;
  const reviews = new KeyValueReviewStore(state);
  const references = new ConversationReferences(state);
  const log = new RehearsalLog(state);
  const reference = {
    channelId: 'webchat-local',
    user: { id: person.channelUser, name: person.name },
    conversation: { id: person.conversation },
    bot: { id: 'servicesim' },
    serviceUrl: 'http://127.0.0.1:3978',
  };
  // The first record's notice is delivered; the others' wait in the queue (their channel is down).
  const delivered = records[0]!.id;
  const notices = new ReviewNotices({
    store: state,
    references,
    library: { scenarios: [] } as unknown as Library,
    deliver: async (_reference, _text, id) => {
      if (id !== `review-review-${delivered}`) throw new Error('channel down');
    },
    logger: pino({ level: 'silent' }),
  });
  for (const record of records) {
    await references.remember(record.id, reference);
    await evidence.save(record);
    const review = reviewOf(record.id, word);
    await reviews.append(review);
    await evidence.setReviewStatus(record.id, 'meets-standard');
    await notices.reviewSigned(record, review);
    // A log whose removal failed after the record was saved.
    await log.append(record.id, { turn: 2, learner: `Sounds ${word}.`, customer: 'It is.' } as unknown as Exchange);
  }
  await writeAll(state, [
    { key: `webchat-local/users/${person.channelUser}/`, value: { profile: { mode: 'practice', welcomed: true } } },
    {
      key: `webchat-local/conversations/${person.conversation}/`,
      value: {
        dialogState: {
          dialogStack: [
            {
              id: 'rehearsal',
              state: {
                rehearsalId: `under-way-${person.channelUser}`,
                learner: { id: person.id, name: person.name },
                rehearsal: { turnCount: 5 },
              },
            },
          ],
        },
      },
    },
    {
      key: `local-mailbox/{${person.conversation}}`,
      value: { activities: [{ text: `Your tutor has reviewed ${person.name}'s rehearsal.` }] },
    },
  ]);
  // The rehearsal under way in that conversation: its log so far, and no record yet.
  await log.append(`under-way-${person.channelUser}`, {
    turn: 4,
    learner: `Still going, ${person.name}.`,
    customer: 'Hm.',
  } as unknown as Exchange);
  const directory = new TutorDirectory(state);
  if (!(await directory.get(TUTOR))) await directory.put({ email: TUTOR, name: 'Tom Tutor', role: 'tutor' });
  await directory.changeLearners(TUTOR, { add: [person.id] });
  // A cohort joined, with an assignment's reminder sent, the conversation last used, and statements queued for the LRS.
  const cohorts = new CohortStore(state);
  let cohort = cohortOf.get(state);
  if (!cohort) {
    cohort = await cohorts.create({ name: 'Evening class', tutor: TUTOR });
    await cohorts.assign(cohort.id, { scenarioId: 'kettle-refund', due: '2026-12-24', mode: 'practice', setBy: TUTOR });
    cohort = (await cohorts.get(cohort.id))!;
    cohortOf.set(state, cohort);
  }
  await cohorts.join(cohort.joinCode, { id: person.id, name: person.name });
  await state.write([{ key: reminderKeysOf(cohort.assignments[0]!.id, person.id).sent, value: { at: NOW.toISOString() } }]);
  // A conversation left with a rehearsal unfinished (no record), then the one they use now.
  const left = { ...reference, conversation: { id: `${person.conversation}-left` } };
  await references.rememberLearner(person.id, left);
  await writeAll(state, [
    {
      key: `webchat-local/conversations/${person.conversation}-left/`,
      value: {
        dialogState: {
          dialogStack: [{ id: 'rehearsal', state: { rehearsalId: `left-${person.channelUser}`, rehearsal: { turnCount: 3 } } }],
        },
      },
    },
  ]);
  await new OpenRehearsals(state).hold({
    rehearsalId: `left-${person.channelUser}`,
    learnerId: person.id,
    scenarioId: 'kettle-refund',
    title: 'Kettle refund',
    startedAt: NOW.toISOString(),
    conversation: `webchat-local/${person.conversation}-left`,
    stateKey: `webchat-local/conversations/${person.conversation}-left/`,
    reference: left,
  });
  await log.append(`left-${person.channelUser}`, {
    turn: 2,
    learner: `Left unfinished by ${person.name}.`,
    customer: 'Oh.',
  } as unknown as Exchange);
  await references.rememberLearner(person.id, reference);
  await new DataCopyLinks(state).issue(person.id);
  const outbox = new XapiOutbox({ store: state, lrs: { endpoint: 'http://127.0.0.1:9/xapi/' }, logger: pino({ level: 'silent' }) });
  await outbox.enqueue(xapiBatchesOf(records[0]!, [], { homePage: 'https://servicesim.example.ac.uk' })[0]!);
  await audit.record({ who: `learner:${person.id}`, action: 'data-copy', subject: person.id, detail: `${records.length} rehearsals` });
}

/** Whatever is about the erased learner, found in the raw stores. */
async function tracesOfErased(stores: Stores, recordIds: readonly string[]): Promise<string[]> {
  const everything = await stores.everything();
  return [ERASED.id, ERASED.name, ERASED.channelUser, ERASED.conversation, ERASED_WORD, ...recordIds].filter((trace) =>
    everything.includes(trace),
  );
}

/** The other learner's data, read through its owners (their place in the tutor's list and the cohort: `sharedLists`). */
async function keptLearnersData(stores: Stores, recordId: string) {
  return {
    record: await stores.evidence.get(recordId),
    status: await stores.evidence.reviewStatusOf(recordId),
    listed: (await stores.evidence.list({ learnerIds: [KEPT.id], limit: 10 })).records.map((r) => r.id),
    reviews: (await new KeyValueReviewStore(stores.state).reviewsOf(recordId)).map((r) => r.id),
    reference: await new ConversationReferences(stores.state).of(recordId),
    botState: Object.keys(
      await stores.state.read([`webchat-local/users/${KEPT.channelUser}/`, `webchat-local/conversations/${KEPT.conversation}/`]),
    ),
    everything: (await stores.everything()).includes(KEPT_WORD),
  };
}

/** The tutor's learners and the cohort's members: the erased learner's place in them goes, the other's stays. */
async function sharedLists(stores: Stores) {
  return {
    tutorsLearners: (await new TutorDirectory(stores.state).get(TUTOR))?.learners,
    cohort: { members: (await new CohortStore(stores.state).get(cohortOf.get(stores.state)!.id))?.members.map((m) => m.learnerId) },
  };
}

/** A KeyValueStore whose delete of a key starting with `prefix` fails, once. */
function failingOnceToDelete(store: KeyValueStore, prefix: string): KeyValueStore {
  let failed = false;
  return {
    read: (keys) => store.read(keys),
    write: (entries) => store.write(entries),
    deleteIfUnchanged: (key, eTag) => store.deleteIfUnchanged(key, eTag),
    delete: async (keys) => {
      if (!failed && keys.some((k) => k.startsWith(prefix))) {
        failed = true;
        throw new Error('the disk went away');
      }
      await store.delete(keys);
    },
  };
}

describe.each(STORES)('%s: erasing a learner', (_name, make) => {
  const erasedRecords = [
    recordOf(ERASED, 'rec-ada-1', ERASED_WORD, '2026-12-20T10:00:00.000Z'),
    recordOf(ERASED, 'rec-ada-2', ERASED_WORD, '2026-12-21T10:00:00.000Z'),
    recordOf(ERASED, 'rec-ada-3', ERASED_WORD, '2026-12-22T10:00:00.000Z'),
  ];
  const keptRecord = recordOf(KEPT, 'rec-kit-1', KEPT_WORD, '2026-12-20T11:00:00.000Z');
  const erasedIds = erasedRecords.map((r) => r.id);

  async function populated() {
    const stores = await make();
    const audit = new AuditLog({ store: stores.state, now: () => NOW });
    await keepEverythingAbout(stores, audit, ERASED, ERASED_WORD, erasedRecords);
    await keepEverythingAbout(stores, audit, KEPT, KEPT_WORD, [keptRecord]);
    return { stores, audit };
  }

  it('leaves nothing about them in any store, and leaves the other learner untouched', async () => {
    const { stores, audit } = await populated();
    // Everything looked for is there to begin with: the scan would see it.
    expect(await tracesOfErased(stores, erasedIds)).toEqual([
      ERASED.id,
      ERASED.name,
      ERASED.channelUser,
      ERASED.conversation,
      ERASED_WORD,
      ...erasedIds,
    ]);
    const kept = await keptLearnersData(stores, keptRecord.id);

    const erasure = new LearnerErasure({ ...stores, audit, holders: learnerDataHolders(stores.state) });
    expect(await erasure.preview(ERASED.id)).toEqual({ records: 3, reviews: 3, tutorAssignments: 1 });
    const { counts, entry } = await erasure.eraseLearner(ERASED.id, 'admin@example.ac.uk');

    expect(await tracesOfErased(stores, erasedIds)).toEqual([]);
    expect(await keptLearnersData(stores, keptRecord.id)).toEqual(kept);
    expect(kept).toMatchObject({
      record: keptRecord,
      listed: [keptRecord.id],
      reviews: [`review-${keptRecord.id}`],
    });
    expect(await sharedLists(stores)).toEqual({ tutorsLearners: [KEPT.id], cohort: { members: [KEPT.id] } });
    expect(kept.botState).toHaveLength(2);
    expect(counts).toEqual({
      records: 3,
      reviews: 3,
      conversationReferences: 3,
      // One notice delivered (its mark, and its send lease, kept until it runs out), two waiting (their leases released).
      reviewNotices: 2,
      noticeMarks: 2,
      rehearsalLogEntries: 3,
      // The profile, the records' conversation and its messages, and the conversation left with a rehearsal unfinished.
      botState: 4,
      tutorAssignments: 1,
      auditEntriesPseudonymised: 1,
      queuedStatements: 2,
      held: { 'cohort memberships': 1, 'latest conversation': 1, 'data copy links': 1, 'unfinished rehearsals': 1 },
    });
    expect(entry).toEqual({
      at: NOW.toISOString(),
      who: 'admin@example.ac.uk',
      action: 'erase',
      subject: learnerReference(ERASED.id),
      detail: expect.stringContaining('rehearsal records: 3, reviews: 3'),
    });
    // The log still shows the copy they were given, and their erasure, naming them only by reference.
    expect((await audit.list()).map((e) => [e.action, e.who, e.subject])).toEqual([
      ['erase', 'admin@example.ac.uk', learnerReference(ERASED.id)],
      ['data-copy', `learner:${KEPT.id}`, KEPT.id],
      ['data-copy', learnerReference(ERASED.id), learnerReference(ERASED.id)],
    ]);

    // Run again: nothing left to erase, and nothing of the other learner's goes.
    const again = await erasure.eraseLearner(ERASED.id, 'admin@example.ac.uk');
    expect(again.counts).toMatchObject({
      records: 0,
      reviews: 0,
      botState: 0,
      held: { 'cohort memberships': 0, 'latest conversation': 0, 'data copy links': 0 },
    });
    expect(await keptLearnersData(stores, keptRecord.id)).toEqual(kept);
  });

  it('finishes the job when run again after a fault part way', async () => {
    const { stores, audit } = await populated();
    const kept = await keptLearnersData(stores, keptRecord.id);
    // The conversation references' delete fails once: after the reviews went, before any record did.
    const holders = learnerDataHolders(stores.state);
    const faulty = new LearnerErasure({
      evidence: stores.evidence,
      state: failingOnceToDelete(stores.state, 'conversation-reference/'),
      audit,
      holders,
    });
    await expect(faulty.eraseLearner(ERASED.id, 'admin@example.ac.uk')).rejects.toThrow('the disk went away');
    expect((await stores.evidence.listFor(ERASED.id)).length).toBeGreaterThan(0);
    expect(await tracesOfErased(stores, erasedIds)).not.toEqual([]);
    // No erasure is audited until it is done.
    expect((await audit.list()).filter((e) => e.action === 'erase')).toEqual([]);

    // A record's delete fails once, after the record itself went (in Redis, before its index did, so
    // the learner's listing no longer shows it): the journal leads the next run to what is left.
    let evidenceFailed = false;
    const flaky: EvidenceStore = Object.create(stores.evidence, {
      delete: {
        value: async (id: string) => {
          if (evidenceFailed) return stores.evidence.delete(id);
          evidenceFailed = true;
          await (stores.dropRecordKeyOnly ?? ((recordId: string) => stores.evidence.delete(recordId)))(id);
          throw new Error('the connection dropped');
        },
      },
    });
    await expect(
      new LearnerErasure({ evidence: flaky, state: stores.state, audit, holders }).eraseLearner(ERASED.id, 'admin@example.ac.uk'),
    ).rejects.toThrow('the connection dropped');

    await new LearnerErasure({ ...stores, audit, holders }).eraseLearner(ERASED.id, 'admin@example.ac.uk');
    expect(await tracesOfErased(stores, erasedIds)).toEqual([]);
    expect(await keptLearnersData(stores, keptRecord.id)).toEqual(kept);
    expect(await sharedLists(stores)).toEqual({ tutorsLearners: [KEPT.id], cohort: { members: [KEPT.id] } });
    expect((await audit.list()).filter((e) => e.action === 'erase')).toHaveLength(1);
  });

  it('erases a record whose delete was cut short between the record and its index', async ({ skip }) => {
    const stores = await make();
    if (!stores.dropRecordKeyOnly) return skip();
    const record = recordOf(ERASED, 'rec-ada-1', ERASED_WORD, '2026-12-20T10:00:00.000Z');
    await stores.evidence.save(record);
    await stores.dropRecordKeyOnly(record.id);
    // Listed (and counted) nowhere readable, but still filed under the learner.
    expect(await stores.evidence.get(record.id)).toBeUndefined();
    expect(await tracesOfErased(stores, [record.id])).toContain(ERASED.id);
    expect(await stores.evidence.delete(record.id)).toBe(false);
    expect(await tracesOfErased(stores, [record.id])).toEqual([]);
    expect((await stores.evidence.list({ limit: 5 })).total).toBe(0);
  });
});

describe.each(STORES)('%s: the retention period', (_name, make) => {
  it('deletes only the records past it, with everything kept about them, and audits the run', async () => {
    const stores = await make();
    const audit = new AuditLog({ store: stores.state, now: () => NOW });
    // 30 days before NOW is 2026-12-01T12:00Z: the first two are past it, the third ends on the very instant (kept).
    const old = [
      recordOf(ERASED, 'rec-ada-old', OLD_WORD, '2026-11-02T10:00:00.000Z'),
      recordOf(KEPT, 'rec-kit-old', OLD_WORD, '2026-12-01T11:59:59.999Z'),
    ];
    const recent = [recordOf(ERASED, 'rec-ada-new', ERASED_WORD, '2026-12-01T12:00:00.000Z')];
    await keepEverythingAbout(stores, audit, ERASED, OLD_WORD, [old[0]!]);
    await keepEverythingAbout(stores, audit, KEPT, OLD_WORD, [old[1]!]);
    await keepEverythingAbout(stores, audit, ERASED, ERASED_WORD, [recent[0]!]);
    const retention = new Retention({ ...stores, audit, erasure: new LearnerErasure({ ...stores, audit }) });

    expect(await retention.countExpired({ retentionDays: 30, now: NOW })).toEqual({ cutoff: '2026-12-01T12:00:00.000Z', records: 2 });
    const { counts, entry } = await retention.purgeExpired({ retentionDays: 30, now: NOW });

    expect(counts).toMatchObject({
      records: 2,
      reviews: 2,
      conversationReferences: 2,
      rehearsalLogEntries: 2,
      botState: 0,
      tutorAssignments: 0,
    });
    expect(await stores.evidence.get('rec-ada-old')).toBeUndefined();
    expect(await stores.evidence.get('rec-kit-old')).toBeUndefined();
    expect(await stores.evidence.get('rec-ada-new')).toEqual(recent[0]);
    expect(await new KeyValueReviewStore(stores.state).reviewsOf('rec-ada-new')).toHaveLength(1);
    expect(await new ConversationReferences(stores.state).of('rec-ada-new')).toBeDefined();
    const everything = await stores.everything();
    expect(['rec-ada-old', 'rec-kit-old', OLD_WORD].filter((trace) => everything.includes(trace))).toEqual([]);
    expect(everything).toContain(ERASED_WORD);
    // The learners themselves stay: their profile and their tutor.
    expect(Object.keys(await stores.state.read([`webchat-local/users/${ERASED.channelUser}/`]))).toHaveLength(1);
    expect((await new TutorDirectory(stores.state).get(TUTOR))?.learners).toEqual([ERASED.id, KEPT.id]);
    expect(entry).toMatchObject({ at: NOW.toISOString(), who: 'system', action: 'retention', subject: 'all' });
    expect(entry.detail).toContain('rehearsal records: 2');

    // Nothing more is past it: a second run deletes nothing, and says so.
    expect((await retention.purgeExpired({ retentionDays: 30, now: NOW })).entry.detail).toContain(': nothing');
    await expect(retention.purgeExpired({ retentionDays: 0, now: NOW })).rejects.toThrow(RangeError);
  });
});

describe('the retention timer', () => {
  it('runs once per interval between processes sharing the store', async () => {
    const evidence = new MemoryEvidenceStore();
    const state = new MemoryKeyValueStore();
    await evidence.save(recordOf(ERASED, 'rec-ada-old', ERASED_WORD, '2020-01-01T00:00:00.000Z'));
    const audit = new AuditLog({ store: state });
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const processes = [1, 2].map(
      () => new Retention({ evidence, state, audit, erasure: new LearnerErasure({ evidence, state, audit }), retentionDays: 30, logger }),
    );
    onTestFinished(() => processes.forEach((p) => p.stop()));
    processes[0]!.start(60_000);
    await vi.waitFor(async () => expect((await audit.list()).map((e) => e.action)).toEqual(['retention']));
    processes[1]!.start(60_000);
    await vi.waitFor(() =>
      expect(lines.some((line) => line.includes('retention not run: it has been run in this interval already'))).toBe(true),
    );
    expect((await audit.list()).map((e) => e.action)).toEqual(['retention']);
    expect(await evidence.get('rec-ada-old')).toBeUndefined();
  });

  it('does nothing without a retention period', async () => {
    const evidence = new MemoryEvidenceStore();
    const state = new MemoryKeyValueStore();
    const audit = new AuditLog({ store: state });
    const retention = new Retention({ evidence, state, audit, erasure: new LearnerErasure({ evidence, state, audit }) });
    retention.start(10);
    onTestFinished(() => retention.stop());
    expect(await state.read(['retention/last-run'])).toEqual({});
  });
});

describe('the audit log', () => {
  it('keeps entries by day, lists them newest first within the days asked for, and refuses a day that is not one', async () => {
    const state = new MemoryKeyValueStore();
    let now = new Date('2026-12-30T23:59:59.000Z');
    const audit = new AuditLog({ store: state, now: () => now });
    await audit.record({ who: 'ann@example.ac.uk', action: 'export', subject: 'cohort-7', detail: 'csv, 12 rows' });
    now = new Date('2026-12-31T00:00:01.000Z');
    await audit.record({ who: 'system', action: 'retention', subject: 'all' });
    await audit.record({ who: 'learner:tenant-1/x', action: 'data-copy', subject: 'tenant-1/x' });
    expect(Object.keys(await state.read(['audit/2026-12-30', 'audit/2026-12-31', 'audit/days']))).toHaveLength(3);
    expect((await audit.list()).map((e) => e.action)).toEqual(['data-copy', 'retention', 'export']);
    expect((await audit.list({ to: '2026-12-30' })).map((e) => e.subject)).toEqual(['cohort-7']);
    expect((await audit.list({ from: '2026-12-31' })).map((e) => e.subject)).toEqual(['tenant-1/x', 'all']);
    expect(await audit.list({ from: '2027-01-01' })).toEqual([]);
    await expect(audit.list({ from: '31/12/2026' })).rejects.toThrow(/from must be a day written yyyy-mm-dd/);
    await expect(audit.record({ who: '', action: 'erase', subject: 'x' })).rejects.toThrow();
  });

  it('keeps every entry of writers appending at once, and logs each without a learner’s words', async () => {
    const state = new MemoryKeyValueStore();
    const lines: string[] = [];
    const logger = pino(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const audit = new AuditLog({ store: state, logger });
    await Promise.all(Array.from({ length: 12 }, (_, i) => audit.record({ who: 'system', action: 'export', subject: `cohort-${i}` })));
    expect((await audit.list()).map((e) => e.subject).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `cohort-${i}`).sort());
    expect(lines).toHaveLength(12);
    expect(JSON.parse(lines[0]!)).toMatchObject({ audit: { who: 'system', action: 'export' }, msg: 'audit: export' });
  });
});

describe("a learner's copy of their data, and what they are told is kept", () => {
  const records = [
    recordOf(ERASED, 'rec-ada-2', ERASED_WORD, '2026-12-21T10:00:00.000Z'),
    recordOf(ERASED, 'rec-ada-1', ERASED_WORD, '2026-12-20T10:00:00.000Z'),
  ];
  const unnamed: TutorReview = { ...reviewOf('rec-ada-1', ERASED_WORD), id: 'second', reviewer: { id: 'nameless@example.ac.uk' } };
  const reviews = new Map([['rec-ada-1', [reviewOf('rec-ada-1', ERASED_WORD), unnamed]]]);
  const cohorts = {
    what: 'The groups you have joined with a code from your tutor',
    keptFor: 'until you leave the group',
    data: ['evening-class'],
  };

  it('holds every record as stored, each with its reviews by tutor name (never email), what else is held, and what is kept for how long', () => {
    const copy = learnerDataCopy({ learner: { id: ERASED.id }, records, reviews, retentionDays: 30, held: [cohorts], madeAt: NOW });
    // Plain JSON: what the learner downloads reads back the same.
    expect(JSON.parse(JSON.stringify(copy))).toEqual(copy);
    expect(copy.learner).toEqual({ id: ERASED.id, name: ERASED.name });
    expect(copy.madeAt).toBe(NOW.toISOString());
    expect(copy.rehearsals.map((r) => r.record)).toEqual(records);
    expect(copy.rehearsals.map((r) => r.reviews.map((review) => review.reviewer))).toEqual([
      [],
      ['Tom Tutor', 'a tutor at your centre (no name was recorded)'],
    ]);
    expect(copy.rehearsals[1]!.reviews[0]).toEqual({
      signedAt: '2026-12-01T09:00:00.000Z',
      reviewer: 'Tom Tutor',
      verdict: 'meets-standard',
      feedback: `Good work, if ${ERASED_WORD}.`,
      changedLevels: {},
      comments: [{ turn: 2, text: `Less ${ERASED_WORD}, please.` }],
    });
    expect(JSON.stringify(copy)).not.toMatch(/@example\.ac\.uk/);
    expect(copy.other).toEqual([cohorts]);
    expect(copy.kept.map((k) => k.keptFor)).toEqual([
      'for 30 days after the rehearsal ends, then deleted, with its reviews and everything else that belongs to it',
      'for as long as the rehearsal itself',
      'for as long as the rehearsal itself',
      'until your data is erased',
      'until you leave the group',
    ]);
    expect(learnerDataCopy({ learner: { id: ERASED.id }, records: [], reviews: new Map(), madeAt: NOW }).kept[0]!.keptFor).toBe(
      'until it is erased: your centre has set no time limit',
    );
  });

  it('tells the learner in plain words what is kept, for how long, who sees it, and how to get a copy or have it erased', () => {
    const text = privacyText(365, { unfinishedRehearsalDays: 30, held: [cohorts] });
    for (const said of [
      'what you and the customer said, your scores',
      '*Kept for 1 year after the rehearsal ends',
      'a rehearsal left unfinished is forgotten 30 days after your last message in it',
      '- The groups you have joined with a code from your tutor. *Kept until you leave the group.*',
      'the tutors of every group you join with a code',
      'Type **my data**',
      'ask your tutor or an admin at your centre',
    ])
      expect(text).toContain(said);
    expect(privacyText(undefined)).toContain('*Kept until it is erased: your centre has set no time limit.*');
    expect(privacyText(undefined)).not.toContain('groups');
  });
});
