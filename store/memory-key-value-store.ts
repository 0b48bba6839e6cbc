/** The key-value store in memory: the fake the conformance suite holds the real ones to. */
import { randomUUID } from 'node:crypto';
import { storableForm, type KeyValueStore, type StoredItem, type WriteEntry, type WriteOutcome } from './key-value-store.ts';

interface MemoryItem {
  /** As JSON, as the real stores keep it: a Date or a Map a test stores comes back as SQLite and Redis give it back. */
  json: string;
  eTag: string;
  /** Epoch milliseconds after which the item is gone; absent: never. */
  expiresAt?: number;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly items = new Map<string, MemoryItem>();

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    const out: Record<string, StoredItem> = {};
    for (const key of keys) {
      const item = this.live(key);
      if (item) out[key] = { value: JSON.parse(item.json), eTag: item.eTag };
    }
    return out;
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, WriteOutcome>> {
    // Checked as the real stores check them, before anything is written.
    const forms = entries.map(storableForm);
    const outcomes: Record<string, WriteOutcome> = {};
    for (const [i, { key, eTag, create }] of entries.entries()) {
      const { json, ttlMs } = forms[i]!;
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
      this.items.set(key, { json, eTag: next, ...(ttlMs === undefined ? {} : { expiresAt: Date.now() + ttlMs }) });
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
