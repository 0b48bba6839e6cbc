/** The key-value store in memory: the fake the conformance suite holds the real ones to. */
import { randomUUID } from 'node:crypto';
import { ETagConflictError, type KeyValueStore, type StoredItem, type WriteEntry } from './key-value-store.ts';

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly items = new Map<string, StoredItem>();

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    const out: Record<string, StoredItem> = {};
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) out[key] = structuredClone(item);
    }
    return out;
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, string>> {
    const eTags: Record<string, string> = {};
    for (const { key, value, eTag } of entries) {
      const current = this.items.get(key);
      if (eTag !== undefined && eTag !== '*' && current?.eTag !== eTag) throw new ETagConflictError(key);
      const next = randomUUID();
      this.items.set(key, { value: structuredClone(value), eTag: next });
      eTags[key] = next;
    }
    return eTags;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.items.delete(key);
  }
}
