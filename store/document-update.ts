/**
 * Read, change and write back one document of a KeyValueStore without losing a concurrent change:
 * the write carries the eTag read (or is create-only for a new document), and a refused write is
 * read and changed again. Reviews, the tutor directory and the review notices' outbox are each
 * one such document, so every store (memory, SQLite, Redis, Redis Cluster) keeps them the same way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ETagConflictError, type KeyValueStore } from './key-value-store.ts';

/** How often a write refused by a concurrent one is tried again before giving up. */
const ATTEMPTS = 10;

/**
 * Applies `change` to the document at `key` (undefined when there is none) and writes the result;
 * returns what was written. `change` may run more than once (once per attempt), so it must only
 * compute. Returning undefined leaves the document as it is. With `ttlMs`, each write gives the
 * document that long to live from then.
 */
export async function updateDocument<T>(
  store: KeyValueStore,
  key: string,
  change: (current: T | undefined) => T | undefined,
  { ttlMs }: { ttlMs?: number } = {},
): Promise<T | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const item = (await store.read([key]))[key];
    const next = change(item?.value as T | undefined);
    if (next === undefined) return item?.value as T | undefined;
    const life = ttlMs === undefined ? {} : { ttlMs };
    const outcome = (
      await store.write([item ? { key, value: next, eTag: item.eTag, ...life } : { key, value: next, create: true, ...life }])
    )[key];
    if (outcome?.written) return next;
    // Writers that collided would collide again at once: each waits a random, growing moment.
    await sleep(Math.random() * 5 * 2 ** attempt);
  }
  throw new ETagConflictError(key);
}
