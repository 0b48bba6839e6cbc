/**
 * The embedded default: one JSON file per key under a folder, written atomically, so a crash
 * mid-write leaves the previous version, never half a file.
 * Writes to one key are serialised in this process, so an eTag check and its write cannot interleave.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfPresent, removeOrphanedTemporaryFiles, writeJsonAtomically } from './json-files.ts';
import { reportToStderr, type SkippedFileReporter } from './skipped-file.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { ETagConflictError, type KeyValueStore, type StoredItem, type WriteEntry } from './key-value-store.ts';

export class FileKeyValueStore implements KeyValueStore {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly dir: string,
    private readonly skipped: SkippedFileReporter = reportToStderr,
  ) {}

  /** At start: removes temporary files left by writes a crash cut short; returns how many. */
  async removeOrphans(): Promise<number> {
    return removeOrphanedTemporaryFiles(this.dir);
  }

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    const out: Record<string, StoredItem> = {};
    for (const key of keys) {
      const item = await this.load(key);
      if (item) out[key] = item;
    }
    return out;
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, string>> {
    const eTags: Record<string, string> = {};
    for (const entry of entries) eTags[entry.key] = await this.queue.run(entry.key, () => this.writeOne(entry));
    return eTags;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.queue.run(key, () => rm(this.fileOf(key), { force: true }));
  }

  private async writeOne({ key, value, eTag }: WriteEntry): Promise<string> {
    if (eTag !== undefined && eTag !== '*' && (await this.load(key))?.eTag !== eTag) throw new ETagConflictError(key);
    const next = randomUUID();
    await writeJsonAtomically(this.fileOf(key), { key, eTag: next, value });
    return next;
  }

  /**
   * A damaged file (cut short by a full disk, edited by hand) reads as absent, so the conversation
   * can go on; it is moved aside, not overwritten, and reported, so it can still be recovered.
   */
  private async load(key: string): Promise<StoredItem | undefined> {
    const file = this.fileOf(key);
    let stored: unknown;
    try {
      stored = await readJsonIfPresent(file);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      stored = null;
    }
    if (stored === undefined) return undefined;
    const item = stored as Partial<StoredItem & { key: string }> | null;
    if (item === null || typeof item !== 'object' || typeof item.eTag !== 'string' || !('value' in item)) {
      const aside = `${file}.damaged-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      this.skipped(file, `not a stored item; moved to ${path.basename(aside)}`);
      return undefined;
    }
    return { value: item.value, eTag: item.eTag };
  }

  /** Keys come from channels and users: hashed, they are always safe and short file names. */
  private fileOf(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return path.join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }
}
