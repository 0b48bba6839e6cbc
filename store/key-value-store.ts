/**
 * The one interface state storage needs: documents by key, each with an eTag so that two writers
 * never silently overwrite each other. The bot's state, and later the tutor's reviews, sit on it.
 */

export interface StoredItem {
  value: unknown;
  eTag: string;
}

export interface WriteEntry {
  key: string;
  value: unknown;
  /** The eTag read with the value: the write fails if the item changed since. Absent or `*`: overwrite. */
  eTag?: string;
}

/** Thrown when a write's eTag no longer matches: someone else wrote first. */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`eTag conflict: "${key}" was changed since it was read`);
    this.name = 'ETagConflictError';
  }
}

export interface KeyValueStore {
  /** The items that exist among `keys`; missing keys are left out. */
  read(keys: readonly string[]): Promise<Record<string, StoredItem>>;
  /** Writes all entries; returns their new eTags. Throws ETagConflictError, writing nothing more. */
  write(entries: readonly WriteEntry[]): Promise<Record<string, string>>;
  delete(keys: readonly string[]): Promise<void>;
}
