/**
 * The one interface state storage needs: documents by key, each with an eTag so that two writers
 * (two turns, two bot processes) never silently overwrite each other. The bot's state, the
 * rehearsal log and the cross-process turn lease sit on it; memory, SQLite and Redis implement it,
 * held to one conformance suite (`test/store-conformance.ts`).
 *
 * @remarks
 * Each key is written atomically on its own; a batch is not a transaction. What a batch did is told
 * key by key (as the Microsoft 365 Agents SDK's `StorageV2` does), so a caller can never mistake a
 * half-written batch for a whole one: `writeAll` throws, naming what was and was not written.
 *
 * Keys may carry a Redis hash tag, `{…}`: keys with the same tag are kept together (one Redis Cluster
 * slot), as a rehearsal's log keys are. Other stores treat the braces as ordinary characters.
 */

export interface StoredItem {
  value: unknown;
  eTag: string;
}

export interface WriteEntry {
  key: string;
  value: unknown;
  /**
   * The eTag read with the value: written only if the item is unchanged since. Absent or `*`: written
   * whatever is there. Ignored when `create` is set.
   */
  eTag?: string;
  /** Written only if the key does not exist yet (or has expired). */
  create?: boolean;
  /** The item expires this many milliseconds after this write (a positive number, rounded up); absent: it never expires. */
  ttlMs?: number;
}

/** What a batch did to one key. */
export type WriteOutcome = { written: true; eTag: string } | { written: false; reason: 'eTag conflict' | 'exists' };

/** Thrown by `writeAll` when a write's eTag no longer matched, or a create found the key there. */
export class ETagConflictError extends Error {
  constructor(
    readonly key: string,
    /** Keys of the same batch that were written all the same. */
    readonly written: readonly string[] = [],
  ) {
    super(
      `eTag conflict: "${key}" was changed since it was read${written.length > 0 ? ` (written in the same batch: ${written.map((k) => `"${k}"`).join(', ')})` : ''}`,
    );
    this.name = 'ETagConflictError';
  }
}

/**
 * The store could not be reached or could not write (Redis down, the disk full or read-only): the
 * operation may or may not have happened (a write in flight when Redis went away may have landed),
 * and may succeed if tried again later. Every write here is safe to try again: an eTag or create-only
 * write that did land is refused the second time, never applied twice. Stores throw this, and only
 * this, for such faults, so the bot can tell the learner their rehearsal is paused rather than failed.
 */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

export interface KeyValueStore {
  /** The items that exist among `keys` (expired ones do not); missing keys are left out. */
  read(keys: readonly string[]): Promise<Record<string, StoredItem>>;
  /**
   * Writes each entry on its own and says, key by key, what happened. An entry that cannot be stored
   * at all (an undefined value, a time to live that is not positive) throws before any is written.
   */
  write(entries: readonly WriteEntry[]): Promise<Record<string, WriteOutcome>>;
  /** Deletes the keys; deleting what is not there is no error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes the key only if its eTag is still this one; says whether it did. */
  deleteIfUnchanged(key: string, eTag: string): Promise<boolean>;
}

/**
 * An entry's value as JSON and its time to live, checked as every store checks them before writing
 * anything: a value with no JSON form is a TypeError, a time to live that is not positive a RangeError.
 * Messages name the key, never the value (a learner's state).
 */
export function storableForm({ key, value, ttlMs }: WriteEntry): { json: string; ttlMs?: number } {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError(`the value for "${key}" cannot be stored: it has no JSON form`);
  if (ttlMs === undefined) return { json };
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs for "${key}" must be a positive number of milliseconds`);
  return { json, ttlMs: Math.ceil(ttlMs) };
}

/** Writes every entry, or throws ETagConflictError naming the first that was not written and those that were. */
export async function writeAll(store: KeyValueStore, entries: readonly WriteEntry[]): Promise<Record<string, string>> {
  const outcomes = await store.write(entries);
  const eTags: Record<string, string> = {};
  const refused: string[] = [];
  for (const { key } of entries) {
    const outcome = outcomes[key];
    if (outcome?.written) eTags[key] = outcome.eTag;
    else refused.push(key);
  }
  if (refused.length > 0) throw new ETagConflictError(refused[0]!, Object.keys(eTags));
  return eTags;
}
