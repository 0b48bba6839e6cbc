/** The key-value store in memory: the fake the conformance suite holds the real ones to. */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore, StoredItem, WriteEntry, WriteOutcome } from './key-value-store.ts';

interface MemoryItem extends StoredItem {
  /** Epoch milliseconds after which the item is gone; absent: never. */
  expiresAt?: number;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly items = new Map<string, MemoryItem>();

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    const out: Record<string, StoredItem> = {};
    for (const key of keys) {
      const item = this.live(key);
      if (item) out[key] = { value: copyAsJson(item.value), eTag: item.eTag };
    }
    return out;
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, WriteOutcome>> {
    const outcomes: Record<string, WriteOutcome> = {};
    // Refused as the real stores refuse them, before anything is written: JSON has no undefined, and Redis no zero time to live.
    for (const { key, value, ttlMs } of entries) {
      if (value === undefined) throw new TypeError(`the value for "${key}" is undefined, which cannot be stored`);
      if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0))
        throw new RangeError(`a time to live is a positive number of milliseconds, not ${ttlMs}`);
    }
    for (const { key, value, eTag, create, ttlMs } of entries) {
      const current = this.live(key);
      if (create && current) {
        outcomes[key] = { written: false, reason: 'exists' };
        continue;
      }
      if (!create && eTag !== undefined && eTag !== '*' && current?.eTag !== eTag) {
        outcomes[key] = { written: false, reason: 'eTag conflict' };
        continue;
      }
      const next = randomUUID();
      this.items.set(key, {
        value: copyAsJson(value),
        eTag: next,
        ...(ttlMs === undefined ? {} : { expiresAt: Date.now() + Math.ceil(ttlMs) }),
      });
      outcomes[key] = { written: true, eTag: next };
    }
    return outcomes;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.items.delete(key);
  }

  async deleteIfUnchanged(key: string, eTag: string): Promise<boolean> {
    if (this.live(key)?.eTag !== eTag) return false;
    this.items.delete(key);
    return true;
  }

  /** The item, unless it has expired (then it is dropped, as Redis drops it). */
  private live(key: string): MemoryItem | undefined {
    const item = this.items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }
}

/** Through JSON, as the real stores keep values: a Date or a Map a test stores comes back as SQLite and Redis give it back. */
const copyAsJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
