/**
 * The Redis stores against real Redis, started by this file: one server (with KEYS and SCAN renamed
 * away, so any use of them fails) and a Redis Cluster of three masters, both held to the stores'
 * conformance suite; then what only Redis faces: expiry kept by Redis itself, writers on separate
 * connections racing, where keys land among the Cluster's slots, damaged values, and Redis going
 * away and coming back under a client that must neither hang nor need restarting.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MAX_PAGE_SIZE } from '../store/evidence-store.ts';
import { StoreUnavailableError, writeAll } from '../store/key-value-store.ts';
import { closeRedis, connectRedis, pingRedis, type RedisClient } from '../store/redis-connection.ts';
import { RedisEvidenceStore } from '../store/redis-evidence-store.ts';
import { RedisKeyValueStore } from '../store/redis-key-value-store.ts';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from './redis-server.ts';
import { evidenceRecord, evidenceStoreConformance, keyValueStoreConformance, reportWith } from './store-conformance.ts';

/** Every store made here has a prefix of its own, so each test starts with an empty store on a shared server. */
const freshPrefix = () => `test-${randomUUID()}`;

let server: RedisServer;
let plain: RedisServer;
let cluster: RedisCluster;
let standalone: RedisClient;
let clustered: RedisClient;
const clients: RedisClient[] = [];

/** A client closed when the file's tests end. */
function client(url: string, cluster = false): RedisClient {
  const made = connectRedis({ url, cluster });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  // One at a time, so that if one fails to start, those already started are assigned and stopped below.
  server = await startRedisServer({ args: ['--rename-command', 'KEYS', '', '--rename-command', 'SCAN', ''] });
  plain = await startRedisServer();
  cluster = await startRedisCluster();
  standalone = client(server.url);
  clustered = client(cluster.nodes.map(({ host, port }) => `redis://${host}:${port}`).join(','), true);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => closeRedis(c)));
  await Promise.all([server?.stop(), plain?.stop(), cluster?.stop()]);
});

keyValueStoreConformance('redis', async () => new RedisKeyValueStore(standalone, { prefix: freshPrefix() }));
keyValueStoreConformance('redis cluster', async () => new RedisKeyValueStore(clustered, { prefix: freshPrefix() }));
evidenceStoreConformance('redis', async () => new RedisEvidenceStore(standalone, { prefix: freshPrefix() }));
evidenceStoreConformance('redis cluster', async () => new RedisEvidenceStore(clustered, { prefix: freshPrefix() }));

describe.each([
  ['redis', () => server.url, false],
  ['redis cluster', () => cluster.nodes.map(({ host, port }) => `redis://${host}:${port}`).join(','), true],
] as const)('%s: what only Redis faces', (_name, urlOf, isCluster) => {
  it('lets Redis itself forget an expired item: the key is gone from Redis, not just hidden', async () => {
    const redis = client(urlOf(), isCluster);
    const prefix = freshPrefix();
    const store = new RedisKeyValueStore(redis, { prefix });
    await writeAll(store, [{ key: 'lease', value: 1, ttlMs: 200 }]);
    const ttl = await redis.pttl(`${prefix}:kv:{lease}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
    await sleep(500);
    expect(await redis.exists(`${prefix}:kv:{lease}`)).toBe(0);
  });

  it('lets exactly one of several writers on separate connections win with the same eTag, as two bot processes would', async () => {
    const prefix = freshPrefix();
    const stores = [1, 2, 3, 4].map(() => new RedisKeyValueStore(client(urlOf(), isCluster), { prefix }));
    for (let round = 0; round < 10; round++) {
      const { k } = await writeAll(stores[0]!, [{ key: 'k', value: 'start' }]);
      const outcomes = await Promise.all(stores.map((store, i) => store.write([{ key: 'k', value: i, eTag: k }])));
      const winners = outcomes.map((o, i) => (o.k?.written ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      expect((await stores[0]!.read(['k'])).k?.value).toBe(winners[0]);
      const created = await Promise.all(stores.map((store, i) => store.write([{ key: `new-${round}`, value: i, create: true }])));
      expect(created.filter((o) => o[`new-${round}`]?.written)).toHaveLength(1);
    }
  });
});

describe('redis: listing without SCAN or KEYS', () => {
  it('runs on a server that has neither, so no listing can be using them', async () => {
    // The server's KEYS and SCAN are renamed away: were any store to use them, it would fail here and in the conformance suite.
    await expect(standalone.call('SCAN', '0')).rejects.toThrow(/unknown command/i);
    await expect(standalone.call('KEYS', '*')).rejects.toThrow(/unknown command/i);
    const store = new RedisEvidenceStore(standalone, { prefix: freshPrefix() });
    for (let i = 0; i < 30; i++) {
      await store.save(
        evidenceRecord({ id: `r${i}`, learner: { id: `learner-${i % 4}` }, endedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }),
      );
    }
    await store.setReviewStatus('r7', 'meets-standard');
    const page = await store.list({
      learnerIds: ['learner-1', 'learner-3'],
      reviewStatus: 'unreviewed',
      endedFrom: '2026-01-05T00:00:00Z',
      limit: 4,
      offset: 2,
    });
    // Odd-numbered records (learners 1 and 3) from r5 on, less r7 (reviewed): 12, newest first, after the first two.
    expect(page).toMatchObject({ total: 12 });
    expect(page.records.map((r) => r.id)).toEqual(['r25', 'r23', 'r21', 'r19']);
    expect((await store.listFor('learner-2')).map((r) => r.id)).toEqual(['r26', 'r22', 'r18', 'r14', 'r10', 'r6', 'r2']);
    await expect(store.list({ limit: MAX_PAGE_SIZE + 1 })).rejects.toThrow(RangeError);
    await expect(store.list({ limit: 5, offset: -1 })).rejects.toThrow(RangeError);
  });
});

describe.each([
  ['redis', () => standalone],
  ['redis cluster', () => clustered],
] as const)('%s: records filed before score flags were kept', (_name, clientOf) => {
  it('files them under their flags when asked to, from the index, leaving those already filed alone', async () => {
    const redis = clientOf();
    const prefix = freshPrefix();
    const skipped: string[] = [];
    const store = new RedisEvidenceStore(redis, { prefix, skipped: (where, problem) => skipped.push(`${where}: ${problem}`) });
    const index = `${prefix}:{${prefix}-evidence-index}`;
    // More than one round of the index, and every third record with a breach.
    const ids = Array.from({ length: 520 }, (_, i) => `old-${String(i).padStart(4, '0')}`);
    await Promise.all(
      ids.map((id, i) =>
        store.save(
          evidenceRecord({
            id,
            endedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
            report: reportWith([2], i % 3 ? 0 : 1),
          }),
        ),
      ),
    );
    const breached = ids.filter((_, i) => i % 3 === 0).reverse();
    // As the ServiceSim before flags filed them: no flags field, in no flag's set. One (old-0003) is filed since; one is gone.
    await Promise.all(ids.filter((id) => id !== 'old-0003').map((id) => redis.hdel(`${index}:record:${id}`, 'flags')));
    await redis.zrem(`${index}:flag:authority-breach`, ...breached.filter((id) => id !== 'old-0003'));
    await redis.del(`${prefix}:evidence:{old-0006}`);
    expect((await store.list({ flags: ['authority-breach'], limit: 5 })).total).toBe(1);

    expect(await store.fileUnflagged()).toBe(ids.length - 2);
    const page = await store.list({ flags: ['authority-breach'], limit: 200 });
    expect(page.total).toBe(breached.length - 1);
    expect(page.records.map((r) => r.id)).toEqual(breached.filter((id) => id !== 'old-0006').slice(0, 200));
    expect(skipped).toEqual(['redis evidence "old-0006": listed in the index but not stored']);
    expect(await store.fileUnflagged()).toBe(0);
  });
});

describe('redis cluster: where keys land', () => {
  /** Every key of this prefix, by the port of the node that holds it (KEYS on each node: test code, never the stores). */
  async function keysByNode(prefix: string): Promise<Map<number, string[]>> {
    const byNode = new Map<number, string[]>();
    for (const { host, port } of cluster.nodes) {
      const node = new Redis({ host, port, lazyConnect: true });
      try {
        await node.connect();
        byNode.set(port, await node.keys(`${prefix}:*`));
      } finally {
        node.disconnect();
      }
    }
    return byNode;
  }

  it("keeps a rehearsal's log with its evidence record in one slot, the whole index in another, and nothing left over", async () => {
    const prefix = freshPrefix();
    const kv = new RedisKeyValueStore(clustered, { prefix });
    const evidence = new RedisEvidenceStore(clustered, { prefix });
    await writeAll(kv, [
      { key: 'rehearsal/{reh-9}/2', value: 'two' },
      { key: 'rehearsal/{reh-9}/4', value: 'four' },
      { key: 'conversation/abc', value: 'state' },
    ]);
    for (let i = 0; i < 6; i++) {
      await evidence.save(
        evidenceRecord({
          id: i === 0 ? 'reh-9' : `reh-${i}`,
          learner: { id: `learner-${i % 2}` },
          mode: i % 3 ? 'practice' : 'assessment',
        }),
      );
    }
    await evidence.setReviewStatus('reh-1', 'meets-standard');
    await evidence.list({ learnerIds: ['learner-0', 'learner-1'], mode: 'practice', reviewStatus: 'unreviewed', limit: 10 });

    const index = `${prefix}:{${prefix}-evidence-index}`;
    const slotOf = async (key: string) => Number(await clustered.cluster('KEYSLOT', key));
    const tagged = [`${prefix}:kvt:rehearsal/{reh-9}/2`, `${prefix}:kvt:rehearsal/{reh-9}/4`, `${prefix}:evidence:{reh-9}`];
    expect(new Set(await Promise.all(tagged.map(slotOf))).size).toBe(1);

    const stored = [...(await keysByNode(prefix)).values()].flat();
    expect(stored).toEqual(expect.arrayContaining([...tagged, `${prefix}:kv:{conversation/abc}`]));
    const indexKeys = stored.filter((key) => key.startsWith(`${index}:`));
    expect(indexKeys.sort()).toEqual(
      [
        `${index}:all`,
        `${index}:learner:learner-0`,
        `${index}:learner:learner-1`,
        `${index}:scenario:kettle-refund`,
        `${index}:problem-type:product`,
        `${index}:mode:practice`,
        `${index}:mode:assessment`,
        `${index}:review:unreviewed`,
        `${index}:review:meets-standard`,
        ...[9, 1, 2, 3, 4, 5].map((i) => `${index}:record:reh-${i}`),
      ].sort(),
    );
    expect(new Set(await Promise.all(indexKeys.map(slotOf))).size).toBe(1);
    // The listing's scratch keys are gone; only these were ever meant to be there.
    expect(stored.filter((key) => !key.startsWith(`${index}:`)).sort()).toEqual(
      [...tagged, `${prefix}:kv:{conversation/abc}`, ...[1, 2, 3, 4, 5].map((i) => `${prefix}:evidence:{reh-${i}}`)].sort(),
    );
  });
});

describe('redis: damaged values', () => {
  async function keysOf(prefix: string): Promise<string[]> {
    const redis = client(plain.url);
    return (await redis.keys(`${prefix}:*`)).sort();
  }

  it('sets aside a state value that is not JSON, or not a stored item at all, reports it without its content, and reads it as absent', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const skipped: string[] = [];
    const store = new RedisKeyValueStore(redis, { prefix, skipped: (file, problem) => skipped.push(`${file}: ${problem}`) });
    await writeAll(store, [
      { key: 'cut-short', value: { said: 'my private words' } },
      { key: 'ok', value: 1 },
    ]);
    await redis.hset(`${prefix}:kv:{cut-short}`, 'value', '{"said": "my private wo');
    await redis.set(`${prefix}:kv:{foreign}`, 'written by something else');
    await redis.hset(`${prefix}:kv:{half}`, 'value', '1');

    expect(await store.read(['cut-short', 'foreign', 'half', 'ok'])).toEqual({ ok: { value: 1, eTag: expect.any(String) } });
    expect(skipped.sort()).toEqual([
      'redis state "cut-short": not JSON; set aside',
      'redis state "foreign": not a stored item; set aside',
      'redis state "half": not a stored item; set aside',
    ]);
    const keys = await keysOf(prefix);
    expect(keys.filter((k) => !k.includes(':damaged:'))).toEqual([`${prefix}:kv:{ok}`]);
    expect(keys.filter((k) => k.includes(':damaged:'))).toEqual([
      expect.stringMatching(new RegExp(`^${prefix}:kv:\\{cut-short\\}:damaged:\\d+$`)),
      expect.stringMatching(new RegExp(`^${prefix}:kv:\\{foreign\\}:damaged:\\d+$`)),
      expect.stringMatching(new RegExp(`^${prefix}:kv:\\{half\\}:damaged:\\d+$`)),
    ]);
    // The conversation goes on: the key can be created afresh.
    expect((await store.write([{ key: 'cut-short', value: 'again', create: true }]))['cut-short']).toMatchObject({ written: true });
  });

  it('sets aside a damaged state value found by a write, and writes', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const skipped: string[] = [];
    const store = new RedisKeyValueStore(redis, { prefix, skipped: (file, problem) => skipped.push(`${file}: ${problem}`) });
    await redis.set(`${prefix}:kv:{k}`, 'not a hash');
    expect((await store.write([{ key: 'k', value: 'fresh', create: true }])).k).toMatchObject({ written: true });
    expect((await store.read(['k'])).k?.value).toBe('fresh');
    expect(skipped).toEqual(['redis state "k": not a stored item; set aside']);
    expect((await keysOf(prefix)).filter((k) => k.includes(':damaged:'))).toHaveLength(1);
  });

  it('leaves a damaged evidence record out of listings, sets it aside and reports it; leaves one it cannot read in place', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const skipped: string[] = [];
    const store = new RedisEvidenceStore(redis, { prefix, skipped: (file, problem) => skipped.push(`${file}: ${problem}`) });
    for (const id of ['a', 'b', 'c']) await store.save(evidenceRecord({ id, reflection: 'my private reflection' }));
    await redis.set(`${prefix}:evidence:{a}`, '{"id": "a", "reflection": "my private refl');
    const newer = JSON.stringify({ ...evidenceRecord({ id: 'b' }), schemaVersion: 99 });
    await redis.set(`${prefix}:evidence:{b}`, newer);

    const page = await store.list({ limit: 10 });
    expect(page.records.map((r) => r.id)).toEqual(['c']);
    // The index still has them: a record set aside can be put back, and one from a newer version is still there.
    expect(page.total).toBe(3);
    expect(skipped).toHaveLength(2);
    expect(skipped).toEqual(
      expect.arrayContaining([
        'redis evidence "a": not JSON; set aside',
        expect.stringMatching(/^redis evidence "b": schema version 99 is not one/),
      ]),
    );
    expect(skipped.join('\n')).not.toMatch(/private/);
    expect(await redis.get(`${prefix}:evidence:{b}`)).toBe(newer);
    expect(await redis.exists(`${prefix}:evidence:{a}`)).toBe(0);
    expect((await keysOf(prefix)).filter((k) => k.startsWith(`${prefix}:evidence:{a}:damaged:`))).toHaveLength(1);

    skipped.length = 0;
    expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['c']);
    expect(skipped).toContain('redis evidence "a": listed in the index but not stored');
  });

  it('files a record that was saved but not indexed (a crash between the two) once its review status is set', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const store = new RedisEvidenceStore(redis, { prefix });
    await redis.set(`${prefix}:evidence:{lost}`, JSON.stringify(evidenceRecord({ id: 'lost' })));
    expect((await store.get('lost'))?.id).toBe('lost');
    expect((await store.list({ limit: 5 })).total).toBe(0);
    expect(await store.reviewStatusOf('lost')).toBe('unreviewed');
    expect(await store.setReviewStatus('lost', 'meets-standard')).toBe(true);
    expect((await store.list({ reviewStatus: 'meets-standard', limit: 5 })).records.map((r) => r.id)).toEqual(['lost']);
  });

  it('never gives a record stored under another id as that id', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const skipped: string[] = [];
    const store = new RedisEvidenceStore(redis, { prefix, skipped: (where, problem) => skipped.push(`${where}: ${problem}`) });
    await redis.set(`${prefix}:evidence:{copied}`, JSON.stringify(evidenceRecord({ id: 'original' })));
    expect(await store.get('copied')).toBeUndefined();
    expect(skipped).toEqual(['redis evidence "copied": its id does not match its key; skipped, left in place']);
  });

  it('files a record that was saved but not indexed when asked to refile it, leaving the record as stored', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const store = new RedisEvidenceStore(redis, { prefix });
    await redis.set(`${prefix}:evidence:{unfiled}`, JSON.stringify(evidenceRecord({ id: 'unfiled', reflection: 'kept' })));
    expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual([]);
    expect(await store.refile('unfiled')).toBe(true);
    expect((await store.listFor('tenant-1/learner-1')).map((r) => r.id)).toEqual(['unfiled']);
    expect((await store.get('unfiled'))?.reflection).toBe('kept');
  });
});

describe('redis: going away and coming back', () => {
  /** Rejects, or says 'hung' if it has neither resolved nor rejected within `ms`. */
  const settleWithin = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, sleep(ms).then(() => 'hung' as const)]);

  it('makes every method fail fast with StoreUnavailableError while Redis is down, and works again by itself once it is back', async () => {
    const redis = client(plain.url);
    const prefix = freshPrefix();
    const kv = new RedisKeyValueStore(redis, { prefix });
    const evidence = new RedisEvidenceStore(redis, { prefix });
    const { k } = await writeAll(kv, [{ key: 'k', value: 1 }]);
    await evidence.save(evidenceRecord());

    await plain.stop();
    const calls = {
      read: () => kv.read(['k']),
      write: () => kv.write([{ key: 'k', value: 2 }]),
      delete: () => kv.delete(['k']),
      deleteIfUnchanged: () => kv.deleteIfUnchanged('k', k!),
      save: () => evidence.save(evidenceRecord()),
      get: () => evidence.get('r1'),
      listFor: () => evidence.listFor('tenant-1/learner-1'),
      list: () => evidence.list({ learnerIds: ['tenant-1/learner-1'], limit: 5 }),
      reviewStatusOf: () => evidence.reviewStatusOf('r1'),
      setReviewStatus: () => evidence.setReviewStatus('r1', 'meets-standard'),
    };
    for (const [name, call] of Object.entries(calls)) {
      const outcome = await settleWithin(
        call().then(
          () => 'resolved',
          (error: unknown) => error,
        ),
        4_000,
      );
      expect({ name, outcome }).toEqual({ name, outcome: expect.any(StoreUnavailableError) });
      expect((outcome as Error).message).toMatch(/^Redis could not be reached/);
      expect((outcome as Error).message).not.toContain(String(plain.port));
    }
    expect(await pingRedis(redis)).toBe(false);

    await plain.restart();
    await expect.poll(() => pingRedis(redis), { timeout: 15_000, interval: 100 }).toBe(true);
    // The restarted server is empty and has forgotten the scripts: the same client sends them again.
    const { k: again } = await writeAll(kv, [{ key: 'k', value: 3 }]);
    expect(await kv.read(['k'])).toEqual({ k: { value: 3, eTag: again } });
    await evidence.save(evidenceRecord());
    expect(await evidence.setReviewStatus('r1', 'meets-standard')).toBe(true);
    expect((await evidence.list({ reviewStatus: 'meets-standard', limit: 5 })).records.map((r) => r.id)).toEqual(['r1']);
    expect(await kv.deleteIfUnchanged('k', again!)).toBe(true);
  });

  it('finds what it wrote again after a restart of a persistent server (the test server other fault tests rely on)', async () => {
    const persistent = await startRedisServer({ persistent: true });
    try {
      const kv = new RedisKeyValueStore(client(persistent.url));
      const { k } = await writeAll(kv, [{ key: 'k', value: 'kept' }]);
      await persistent.stop();
      await persistent.restart();
      await expect
        .poll(async () => (await kv.read(['k']).catch(() => ({}))) as object, { timeout: 15_000, interval: 100 })
        .toEqual({
          k: { value: 'kept', eTag: k },
        });
    } finally {
      await persistent.stop();
    }
  });

  it('fails fast, rather than waiting, when Redis is not there at start', async () => {
    const stopped = await startRedisServer();
    await stopped.stop();
    const kv = new RedisKeyValueStore(client(stopped.url));
    const outcome = await settleWithin(
      kv.read(['k']).catch((error: unknown) => error),
      4_000,
    );
    expect(outcome).toBeInstanceOf(StoreUnavailableError);
  });
});

describe('the Redis URL', () => {
  it('is refused, naming no password, when it is not one ServiceSim can use', () => {
    for (const url of [
      'http://:s3cret@example.org',
      'redis://:s3cret@example.org?tls=true',
      's3cret',
      'redis://:s3cret@example.org/zero',
    ]) {
      expect(() => connectRedis({ url })).toThrow(/Redis URL/);
      expect(() => connectRedis({ url })).not.toThrow(/s3cret/);
    }
    expect(() => connectRedis({ url: 'redis://a:1,redis://b:2' })).toThrow(/cluster/);
    expect(() => connectRedis({ url: 'redis://a:1/2', cluster: true })).toThrow(/database 0/);
  });
});
