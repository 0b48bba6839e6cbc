/**
 * Evidence in Redis (one server or a Redis Cluster): each record a JSON string, listed and filtered
 * for the tutor through sorted-set indexes, never by scanning keys or reading every record.
 *
 * @remarks
 * A record is at `<prefix>:evidence:{<id>}`: the record id is the rehearsal id, so the record shares
 * the Cluster slot of its rehearsal's log (`rehearsal/{<id>}/<turn>` in the key-value store).
 * The index is all in one slot, `<prefix>:{<prefix>-evidence-index}:…`, so one Lua script can read
 * and change all of it atomically: sorted sets of record ids scored by end time (`all`,
 * `learner:<id>`, `scenario:<id>`, `problem-type:<type>`, `mode:<mode>`, `review:<status>`,
 * `flag:<score flag>`) and, per record, a hash of the values it is filed under (`record:<id>`), so a
 * re-save or a review moves it between sets in one step. Records with the same end time (to the
 * millisecond) are ordered by id descending, as Redis orders equal scores (by bytes).
 *
 * Records filed before score flags were kept are in no flag's set until they are filed again:
 * `fileUnflagged` files them all, once, after an upgrade.
 *
 * A save writes the record, then indexes it: a crash between the two leaves a record that `get`
 * finds and the listings do not, until it is saved again or its review status is set.
 *
 * A delete removes the record (and the copies set aside of it, listed beside it at
 * `<prefix>:evidence:{<id>}:set-aside`), then takes it out of the index: a crash between the two
 * leaves an id the listings skip (and report) until the delete is run again, which finishes it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EvidenceRecordSchema, readEvidenceRecord, type EvidenceRecord } from '../engine/evidence-record.ts';
import { scoreFlagsOf } from '../engine/score-flags.ts';
import {
  checkReviewStatus,
  flagsOf,
  instantOf,
  pageOf,
  positionAfter,
  problemTypeOf,
  type EvidencePage,
  type EvidenceQuery,
  type EvidenceStore,
  type ReviewStatus,
} from './evidence-store.ts';
import { StoreUnavailableError } from './key-value-store.ts';
import { defineRedisScript, onRedis, type RedisClient } from './redis-connection.ts';
import { checkedPrefix, type RedisStoreOptions } from './redis-key-value-store.ts';
import { reportToStderr, type SkippedItemReporter } from './skipped-item.ts';

/** The values a record is filed under, in the order the scripts take them; `review` and `flags` come after them. */
const FILED_UNDER = ['learner', 'scenario', 'problem-type', 'mode'] as const;
/** `flags`: the record's score flags joined with commas ('' for none); absent on a record filed before flags were kept. */
const HASH_FIELDS = [...FILED_UNDER, 'review', 'flags'];

/**
 * Files a record. KEYS: its hash, `all`, the four sets it now belongs in, the four it was in (the
 * same as the new ones when it was not filed yet), the set of its review status, the sets of the
 * flags it was filed under, the sets of the flags it now has. ARGV: id, score, the four values it is
 * now filed under, its flags (joined with commas), then the six values of its hash as the caller read
 * them (`=<value>`, or '' when absent), then how many flags it was filed under. Returns 0, changing
 * nothing, if the hash has changed since it was read (the caller reads it again and retries); 1 when
 * filed. The review status is kept.
 */
const FILE_RECORD = `
local current = redis.call('HMGET', KEYS[1], 'learner', 'scenario', 'problem-type', 'mode', 'review', 'flags')
for i = 1, 6 do
  if (current[i] and ('=' .. current[i]) or '') ~= ARGV[7 + i] then return 0 end
end
local id, score = ARGV[1], ARGV[2]
for i = 1, 4 do
  if current[i] then redis.call('ZREM', KEYS[6 + i], id) end
  redis.call('ZADD', KEYS[2 + i], score, id)
end
local flagged = tonumber(ARGV[14])
for i = 12, 11 + flagged do redis.call('ZREM', KEYS[i], id) end
for i = 12 + flagged, #KEYS do redis.call('ZADD', KEYS[i], score, id) end
redis.call('ZADD', KEYS[2], score, id)
redis.call('ZADD', KEYS[11], score, id)
redis.call('HSET', KEYS[1], 'learner', ARGV[3], 'scenario', ARGV[4], 'problem-type', ARGV[5], 'mode', ARGV[6],
  'review', current[5] or 'unreviewed', 'ended-at', score, 'flags', ARGV[7])
return 1
`;

/**
 * Moves a filed record to another review status. KEYS: its hash, the set of the status read, the set
 * of the new one. ARGV: id, the status read (`=<status>`), the new status. Returns -1 when the record
 * is not filed, 0 when its status changed since it was read (retry), 1 when moved.
 */
const SET_REVIEW_STATUS = `
local current = redis.call('HMGET', KEYS[1], 'review', 'ended-at')
if not current[1] or not current[2] then return -1 end
if ('=' .. current[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], current[2], ARGV[1])
redis.call('HSET', KEYS[1], 'review', ARGV[3])
return 1
`;

/**
 * A page of a filtered listing. KEYS: two scratch keys, the learners' sets, the other filters' sets,
 * `all`. ARGV: how many learners' sets, how many others, lowest score, highest score (Redis range
 * syntax), offset, limit, then for the page: its highest score (the highest score, or below the
 * cursor's end time), the cursor's end time if it is in range ('' if not, or no cursor) and the
 * cursor's id. The learners' sets are joined (a cohort), then intersected with the others; no filter:
 * `all`. Returns { total in range, ids of the page, newest first }, the page starting after the
 * cursor. The scratch keys are deleted before it returns, and expire on their own should the script
 * fail half way.
 */
const LIST_PAGE = `
-- Whether a sorts before b as Redis sorts equal scores, by bytes: Lua's < follows the server's locale.
local function bytesBelow(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local learners, others = tonumber(ARGV[1]), tonumber(ARGV[2])
local sources = {}
if learners == 1 then
  sources[1] = KEYS[3]
elseif learners > 1 then
  -- In chunks: Lua can unpack only so many values at once, and a cohort can be large.
  local done = 0
  while done < learners do
    local chunk = {}
    if done > 0 then chunk[1] = KEYS[1] end
    for i = done + 1, math.min(done + 1000, learners) do chunk[#chunk + 1] = KEYS[2 + i] end
    done = math.min(done + 1000, learners)
    redis.call('ZUNIONSTORE', KEYS[1], #chunk, unpack(chunk))
    redis.call('PEXPIRE', KEYS[1], 60000)
  end
  sources[1] = KEYS[1]
end
for i = 1, others do sources[#sources + 1] = KEYS[2 + learners + i] end
local source = KEYS[#KEYS]
if #sources == 1 then
  source = sources[1]
elseif #sources > 1 then
  -- AGGREGATE MAX: every set scores a record by its end time; the default would add them up.
  local args = {'ZINTERSTORE', KEYS[2], #sources}
  for i = 1, #sources do args[#args + 1] = sources[i] end
  args[#args + 1] = 'AGGREGATE'
  args[#args + 1] = 'MAX'
  redis.call(unpack(args))
  redis.call('PEXPIRE', KEYS[2], 60000)
  source = KEYS[2]
end
local total = redis.call('ZCOUNT', source, ARGV[3], ARGV[4])
local offset, limit = tonumber(ARGV[5]), tonumber(ARGV[6])
local ids = {}
if ARGV[8] ~= '' then
  -- Those ending in the cursor's millisecond come first if their id is below the cursor's: the tail
  -- of these, which Redis lists by bytes descending. (Only ties: a few records, if any.)
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', source, ARGV[8], ARGV[8])) do
    if bytesBelow(id, ARGV[9]) then
      if offset > 0 then offset = offset - 1 elseif #ids < limit then ids[#ids + 1] = id end
    end
  end
end
if #ids < limit then
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', source, ARGV[7], ARGV[3], 'LIMIT', offset, limit - #ids)) do
    ids[#ids + 1] = id
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
return {total, ids}
`;

/**
 * Takes a record out of the index. KEYS: its hash, then every set it is filed in. ARGV: id, then
 * the six values of its hash as the caller read them (`=<value>`, or '' when absent). Returns 0,
 * changing nothing, if the hash has changed since it was read (the caller reads it again and
 * retries); 1 when the record is in no set and its hash is gone.
 */
const UNFILE_RECORD = `
local current = redis.call('HMGET', KEYS[1], 'learner', 'scenario', 'problem-type', 'mode', 'review', 'flags')
for i = 1, 6 do
  if (current[i] and ('=' .. current[i]) or '') ~= ARGV[1 + i] then return 0 end
end
for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: the record, where to set it aside, the set listing the record's copies set aside. ARGV: the
 * SHA-1 of the damaged value read ('' when it was not a string). Moves it only if it is still what
 * was read, so a record saved meanwhile stays; the copy is listed, so a delete can find it.
 */
const SET_ASIDE = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if kind == 'string' and redis.sha1hex(redis.call('GET', KEYS[1])) ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], KEYS[2])
return 1
`;

/** Saves and review changes that keep finding the record changed under them give up after this many tries. */
const MAX_ATTEMPTS = 8;

/** How many records `fileUnflagged` looks at per round trip. */
const UNFLAGGED_BATCH = 500;

export class RedisEvidenceStore implements EvidenceStore {
  private readonly prefix: string;
  private readonly index: string;
  private readonly skipped: SkippedItemReporter;
  private readonly fileScript;
  private readonly reviewScript;
  private readonly listScript;
  private readonly setAsideScript;
  private readonly unfileScript;

  constructor(
    private readonly client: RedisClient,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = checkedPrefix(options.prefix);
    this.index = `${this.prefix}:{${this.prefix}-evidence-index}`;
    this.skipped = options.skipped ?? reportToStderr;
    this.fileScript = defineRedisScript(client, 'servicesimEvidenceFile', FILE_RECORD);
    this.reviewScript = defineRedisScript(client, 'servicesimEvidenceReview', SET_REVIEW_STATUS, 3);
    this.listScript = defineRedisScript(client, 'servicesimEvidenceList', LIST_PAGE);
    this.setAsideScript = defineRedisScript(client, 'servicesimEvidenceSetAside', SET_ASIDE, 3);
    this.unfileScript = defineRedisScript(client, 'servicesimEvidenceUnfile', UNFILE_RECORD);
  }

  async save(record: EvidenceRecord): Promise<void> {
    // Checked as the other stores check it, so every store accepts exactly the same records.
    const parsed = EvidenceRecordSchema.parse(record);
    await onRedis(async () => {
      await this.client.set(this.recordKey(parsed.id), JSON.stringify(parsed));
      await this.file(parsed);
    });
  }

  async get(id: string): Promise<EvidenceRecord | undefined> {
    return onRedis(() => this.load(id));
  }

  async refile(id: string): Promise<boolean> {
    return onRedis(async () => {
      const record = await this.load(id);
      if (record) await this.file(record);
      return record !== undefined;
    });
  }

  async listFor(learnerId: string): Promise<EvidenceRecord[]> {
    return onRedis(async () => {
      const ids = await this.client.zrevrangebyscore(this.setKey('learner', learnerId), '+inf', '-inf');
      const records = await this.loadListed(ids);
      // The set is the learner's; the check keeps anyone else's record out should the index ever be wrong.
      return records.filter((r) => r.learner.id === learnerId);
    });
  }

  async list(query: EvidenceQuery): Promise<EvidencePage> {
    const { limit, offset } = pageOf(query);
    const fromMs = query.endedFrom === undefined ? -Infinity : instantOf('endedFrom', query.endedFrom);
    const beforeMs = query.endedBefore === undefined ? Infinity : instantOf('endedBefore', query.endedBefore);
    const after = positionAfter(query);
    const from = fromMs === -Infinity ? '-inf' : String(fromMs);
    const before = beforeMs === Infinity ? '+inf' : `(${beforeMs}`;
    // The page is cut below the cursor's end time; the records of that very millisecond are the script's to sort out.
    const pageBefore = after === undefined || after.endedAtMs >= beforeMs ? before : `(${after.endedAtMs}`;
    const ties = after !== undefined && after.endedAtMs >= fromMs && after.endedAtMs < beforeMs ? String(after.endedAtMs) : '';
    const learners = query.learnerIds && [...new Set(query.learnerIds)];
    if (learners?.length === 0) return { records: [], total: 0 };
    const others = [
      query.scenarioId === undefined ? undefined : this.setKey('scenario', query.scenarioId),
      query.problemType === undefined ? undefined : this.setKey('problem-type', query.problemType),
      query.mode === undefined ? undefined : this.setKey('mode', query.mode),
      query.reviewStatus === undefined ? undefined : this.setKey('review', query.reviewStatus),
      ...flagsOf(query).map((flag) => this.setKey('flag', flag)),
    ].filter((key) => key !== undefined);
    const learnerKeys = (learners ?? []).map((learner) => this.setKey('learner', learner));
    const keys = [this.scratchKey(), this.scratchKey(), ...learnerKeys, ...others, this.setKey('all')];
    return onRedis(async () => {
      const [total, ids] = (await this.listScript(
        keys.length,
        ...keys,
        learnerKeys.length,
        others.length,
        from,
        before,
        offset,
        limit,
        pageBefore,
        ties,
        after?.id ?? '',
      )) as [number, string[]];
      return { records: await this.loadListed(ids), total };
    });
  }

  async reviewStatusOf(id: string): Promise<ReviewStatus | undefined> {
    return onRedis(async () => {
      const [status, exists] = await Promise.all([this.client.hget(this.hashKey(id), 'review'), this.client.exists(this.recordKey(id))]);
      if (exists === 0) return undefined;
      if (status !== null) return status as ReviewStatus;
      // Saved but not filed (a crash between the two): there is a record, and nobody has reviewed it.
      return (await this.load(id)) ? 'unreviewed' : undefined;
    });
  }

  async setReviewStatus(id: string, status: ReviewStatus): Promise<boolean> {
    checkReviewStatus(status);
    return onRedis(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const [current, exists] = await Promise.all([this.client.hget(this.hashKey(id), 'review'), this.client.exists(this.recordKey(id))]);
        if (exists === 0) return false;
        if (current === null) {
          // Saved but not filed: file it now, then review it.
          const record = await this.load(id);
          if (!record) return false;
          await this.file(record);
          continue;
        }
        const keys = [this.hashKey(id), this.setKey('review', current), this.setKey('review', status)];
        if ((await this.reviewScript(...keys, id, `=${current}`, status)) === 1) return true;
      }
      throw busy();
    });
  }

  async delete(id: string): Promise<boolean> {
    return onRedis(async () => {
      // The record first: its words go at once, and what is left (the index) a second delete finds and removes.
      const copies = await this.client.smembers(this.setAsideListKey(id));
      const deleted = (await this.client.del(this.recordKey(id))) > 0;
      if (copies.length > 0) await this.client.del(...copies, this.setAsideListKey(id));
      await this.unfile(id);
      return deleted;
    });
  }

  /**
   * Files under their score flags the records filed before flags were kept (whose hash has no
   * `flags`), reading the `all` listing a page at a time, never scanning keys. For after an upgrade;
   * safe to run again, or in several processes at once. Returns how many it filed.
   */
  async fileUnflagged(): Promise<number> {
    return onRedis(async () => {
      let filed = 0;
      // By rank: a record saved meanwhile may shift the rest along, so one is looked at twice, never missed.
      for (let start = 0; ; start += UNFLAGGED_BATCH) {
        const ids = await this.client.zrange(this.setKey('all'), String(start), String(start + UNFLAGGED_BATCH - 1));
        if (ids.length === 0) return filed;
        const flags = await Promise.all(ids.map((id) => this.client.hexists(this.hashKey(id), 'flags')));
        for (const id of ids.filter((_, i) => flags[i] === 0)) {
          const record = await this.load(id, true);
          if (record === undefined) continue;
          await this.file(record);
          filed += 1;
        }
      }
    });
  }

  /** Files the record in the index, moving it out of the sets it was in; retried if it changes meanwhile. */
  private async file(record: EvidenceRecord): Promise<void> {
    const filedUnder = [record.learner.id, record.scenario.id, problemTypeOf(record), record.mode];
    const flags = scoreFlagsOf(record.report);
    const score = Date.parse(record.endedAt);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const seen = await this.client.hmget(this.hashKey(record.id), ...HASH_FIELDS);
      const flaggedBefore = seen[5] ? seen[5].split(',') : [];
      const keys = [
        this.hashKey(record.id),
        this.setKey('all'),
        ...FILED_UNDER.map((kind, i) => this.setKey(kind, filedUnder[i]!)),
        ...FILED_UNDER.map((kind, i) => this.setKey(kind, seen[i] ?? filedUnder[i]!)),
        this.setKey('review', seen[4] ?? 'unreviewed'),
        ...flaggedBefore.map((flag) => this.setKey('flag', flag)),
        ...flags.map((flag) => this.setKey('flag', flag)),
      ];
      const read = seen.map((value) => (value === null ? '' : `=${value}`));
      const args = [record.id, score, ...filedUnder, flags.join(','), ...read, flaggedBefore.length];
      if ((await this.fileScript(keys.length, ...keys, ...args)) === 1) return;
    }
    throw busy();
  }

  /** Takes the record out of every set it is filed in, and removes its hash; retried if it changes meanwhile. */
  private async unfile(id: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const seen = await this.client.hmget(this.hashKey(id), ...HASH_FIELDS);
      if (seen.every((value) => value === null)) return;
      const [learner, scenario, problemType, mode, review, flags] = seen;
      const keys = [
        this.hashKey(id),
        this.setKey('all'),
        ...[learner, scenario, problemType, mode].flatMap((value, i) => (value === null ? [] : [this.setKey(FILED_UNDER[i]!, value!)])),
        ...(review ? [this.setKey('review', review)] : []),
        ...(flags ? flags.split(',').map((flag) => this.setKey('flag', flag)) : []),
      ];
      const read = seen.map((value) => (value === null ? '' : `=${value}`));
      if ((await this.unfileScript(keys.length, ...keys, id, ...read)) === 1) return;
    }
    throw busy();
  }

  /** The records of a listing, in its order; those that cannot be read are left out and reported. */
  private async loadListed(ids: readonly string[]): Promise<EvidenceRecord[]> {
    const records = await Promise.all(ids.map((id) => this.load(id, true)));
    return records.filter((r) => r !== undefined);
  }

  /**
   * The record, migrated to the current version if older. One that is not JSON (cut short, written
   * over by hand) is set aside and reported; one that is JSON but does not read (a version newer than
   * this ServiceSim, say) is reported and left where it is. Never the content: it is a learner's words.
   */
  private async load(id: string, listed = false): Promise<EvidenceRecord | undefined> {
    const key = this.recordKey(id);
    let stored: Buffer | null;
    try {
      stored = await this.client.getBuffer(key);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('WRONGTYPE'))) throw error;
      return this.setAside(id, '', 'not a string');
    }
    if (stored === null) {
      if (listed) this.skipped(`redis evidence "${id}"`, 'listed in the index but not stored');
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(stored.toString('utf8'));
    } catch {
      return this.setAside(id, createHash('sha1').update(stored).digest('hex'), 'not JSON');
    }
    const read = readEvidenceRecord(json);
    if ('problem' in read) {
      this.skipped(`redis evidence "${id}"`, read.problem);
      return undefined;
    }
    // A record under another's key (copied by hand, say) is not this id's: never shown as it.
    if (read.record.id !== id) {
      this.skipped(`redis evidence "${id}"`, 'its id does not match its key; skipped, left in place');
      return undefined;
    }
    return read.record;
  }

  private async setAside(id: string, sha1: string, problem: string): Promise<undefined> {
    const key = this.recordKey(id);
    const moved = (await this.setAsideScript(key, `${key}:damaged:${Date.now()}`, this.setAsideListKey(id), sha1)) === 1;
    this.skipped(`redis evidence "${id}"`, moved ? `${problem}; set aside` : problem);
    return undefined;
  }

  private recordKey(id: string): string {
    return `${this.prefix}:evidence:{${id}}`;
  }

  /** In the record's slot (its hash tag), so a delete removes the copies with the record. */
  private setAsideListKey(id: string): string {
    return `${this.recordKey(id)}:set-aside`;
  }

  private hashKey(id: string): string {
    return `${this.index}:record:${id}`;
  }

  private setKey(kind: (typeof FILED_UNDER)[number] | 'review' | 'flag' | 'all', value?: string): string {
    return value === undefined ? `${this.index}:${kind}` : `${this.index}:${kind}:${value}`;
  }

  private scratchKey(): string {
    return `${this.index}:scratch:${randomUUID()}`;
  }
}

const busy = () => new StoreUnavailableError('Redis kept changing this record while it was being saved; try again later');
