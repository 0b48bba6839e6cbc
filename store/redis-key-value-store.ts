/**
 * The key-value store in Redis (one server or a Redis Cluster): bot state, rehearsal logs and turn
 * leases shared by every bot process. Each item is a hash, `value` (JSON) and `eTag`, and every write
 * is one Lua script that checks and writes atomically, so two processes can never both win a write.
 *
 * @remarks
 * Key layout: a key with a Redis hash tag (`rehearsal/{<id>}/<turn>`) is kept at `<prefix>:kvt:<key>`,
 * so a rehearsal's keys share one Cluster slot (and the slot of its evidence record); any other key is
 * made its own tag whole, `<prefix>:kv:{<key>}`, so each item is in one slot and the prefix never
 * decides where it goes. The two namespaces differ, so `{k}` and `k` are never one Redis key. A batch is sent as one command per key, concurrently: ioredis pipelines them
 * (per node on a Cluster, where keys of one batch are in different slots and no single command may
 * span them).
 */
import { randomUUID } from 'node:crypto';
import { storableForm, type KeyValueStore, type StoredItem, type WriteEntry, type WriteOutcome } from './key-value-store.ts';
import { defineRedisScript, onRedis, type RedisClient } from './redis-connection.ts';
import { reportToStderr, type SkippedItemReporter } from './skipped-item.ts';

export interface RedisStoreOptions {
  /** Starts every key, so several ServiceSims (or other programs) can share one Redis. Default `servicesim`; no braces. */
  prefix?: string;
  skipped?: SkippedItemReporter;
}

/**
 * KEYS: item, where to set a damaged item aside. ARGV: mode (`create`, `match` or `any`), the eTag to
 * match, value, new eTag, ttl in ms ('' for none). Returns { outcome, set aside }: outcome 0 written,
 * 1 exists, 2 eTag conflict; set aside 1 when a damaged item (not a hash with a value and an eTag) was moved
 * aside first and then treated as absent, as a read would have.
 */
const WRITE = `
local aside = 0
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'none' and (kind ~= 'hash' or redis.call('HEXISTS', KEYS[1], 'eTag') == 0 or redis.call('HEXISTS', KEYS[1], 'value') == 0) then
  redis.call('RENAME', KEYS[1], KEYS[2])
  aside = 1
  kind = 'none'
end
if ARGV[1] == 'create' then
  if kind ~= 'none' then return {1, aside} end
elseif ARGV[1] == 'match' then
  if kind == 'none' or redis.call('HGET', KEYS[1], 'eTag') ~= ARGV[2] then return {2, aside} end
end
redis.call('HSET', KEYS[1], 'value', ARGV[3], 'eTag', ARGV[4])
if ARGV[5] == '' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return {0, aside}
`;

/** KEYS: item. ARGV: eTag. Deletes the item only if it is a stored item with that eTag. */
const DELETE_IF_UNCHANGED = `
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HGET', KEYS[1], 'eTag') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: item, where to set it aside. ARGV: the eTag read with the damaged value ('' for none).
 * Moves it only if it is still what was read, so a good value written meanwhile is never moved.
 */
const SET_ASIDE = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if kind == 'hash' and (redis.call('HGET', KEYS[1], 'eTag') or '') ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
`;

export class RedisKeyValueStore implements KeyValueStore {
  private readonly prefix: string;
  private readonly skipped: SkippedItemReporter;
  private readonly writeScript;
  private readonly deleteIfUnchangedScript;
  private readonly setAsideScript;

  constructor(
    private readonly client: RedisClient,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = checkedPrefix(options.prefix);
    this.skipped = options.skipped ?? reportToStderr;
    this.writeScript = defineRedisScript(client, 'servicesimKeyValueWrite', WRITE, 2);
    this.deleteIfUnchangedScript = defineRedisScript(client, 'servicesimKeyValueDeleteIfUnchanged', DELETE_IF_UNCHANGED, 1);
    this.setAsideScript = defineRedisScript(client, 'servicesimKeyValueSetAside', SET_ASIDE, 2);
  }

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    const items = await onRedis(() => Promise.all(keys.map((key) => this.readOne(key))));
    const out: Record<string, StoredItem> = {};
    keys.forEach((key, i) => {
      const item = items[i];
      if (item) out[key] = item;
    });
    return out;
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, WriteOutcome>> {
    // Checked before anything is written, so a bad entry never leaves half a batch behind.
    // Checked as every store checks them, before anything is written; no time to live is '' to the script.
    const prepared = entries.map((entry) => {
      const { json, ttlMs } = storableForm(entry);
      return { entry, json, ttl: ttlMs === undefined ? '' : String(ttlMs) };
    });
    const outcomes = await onRedis(() =>
      Promise.all(
        prepared.map(async ({ entry, json, ttl }): Promise<WriteOutcome> => {
          const mode = entry.create ? 'create' : entry.eTag === undefined || entry.eTag === '*' ? 'any' : 'match';
          const eTag = randomUUID();
          const redisKey = this.keyOf(entry.key);
          const [outcome, setAside] = (await this.writeScript(redisKey, asideOf(redisKey), mode, entry.eTag ?? '', json, eTag, ttl)) as [
            number,
            number,
          ];
          if (setAside === 1) this.skipped(`redis state "${entry.key}"`, 'not a stored item; set aside');
          if (outcome === 0) return { written: true, eTag };
          return { written: false, reason: outcome === 1 ? 'exists' : 'eTag conflict' };
        }),
      ),
    );
    const out: Record<string, WriteOutcome> = {};
    entries.forEach(({ key }, i) => (out[key] = outcomes[i]!));
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    // One DEL per key: on a Cluster a DEL of several keys must not span slots.
    await onRedis(() => Promise.all(keys.map((key) => this.client.del(this.keyOf(key)))));
  }

  async deleteIfUnchanged(key: string, eTag: string): Promise<boolean> {
    return (await onRedis(() => this.deleteIfUnchangedScript(this.keyOf(key), eTag))) === 1;
  }

  /**
   * A damaged item (not JSON, half a hash, another type of value put there by hand) reads as absent,
   * so the conversation can go on; it is set aside, not overwritten, and reported without its
   * content (a learner's words), so it can still be recovered.
   */
  private async readOne(key: string): Promise<StoredItem | undefined> {
    const redisKey = this.keyOf(key);
    let fields: (string | null)[];
    try {
      fields = await this.client.hmget(redisKey, 'value', 'eTag');
    } catch (error) {
      if (!isWrongType(error)) throw error;
      return this.setAside(key, '', 'not a stored item');
    }
    const [json = null, eTag = null] = fields;
    if (json === null && eTag === null) return undefined;
    if (json === null || eTag === null) return this.setAside(key, eTag ?? '', 'not a stored item');
    try {
      return { value: JSON.parse(json) as unknown, eTag };
    } catch {
      return this.setAside(key, eTag, 'not JSON');
    }
  }

  private async setAside(key: string, eTag: string, problem: string): Promise<undefined> {
    const redisKey = this.keyOf(key);
    const aside = asideOf(redisKey);
    if ((await this.setAsideScript(redisKey, aside, eTag)) === 1) this.skipped(`redis state "${key}"`, `${problem}; set aside`);
    return undefined;
  }

  /** Tagged and untagged keys live apart (`kvt:` and `kv:`), so `{k}` and `k` can never name one Redis key. */
  private keyOf(key: string): string {
    return hasHashTag(key) ? `${this.prefix}:kvt:${key}` : `${this.prefix}:kv:{${key}}`;
  }
}

/** Whether Redis would hash only part of the key: a `{` with a `}` after it and something between. */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open === -1) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

/** Beside the item, in its slot: the hash tag comes first, so it still decides. */
const asideOf = (redisKey: string) => `${redisKey}:damaged:${Date.now()}`;

export function checkedPrefix(prefix = 'servicesim'): string {
  if (prefix === '' || /[{}]/.test(prefix))
    throw new Error('a Redis key prefix must be non-empty and have no braces (they would decide the Cluster slot)');
  return prefix;
}

function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('WRONGTYPE');
}
