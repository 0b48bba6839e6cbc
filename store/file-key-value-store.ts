/**
 * The embedded default: one JSON file per key under a folder, written atomically (a temporary file
 * renamed over the old one), so a crash mid-write leaves the previous version, never half a file.
 * Writes to one key are serialised in this process, so an eTag check and its write cannot interleave.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ETagConflictError, type KeyValueStore, type StoredItem, type WriteEntry } from './key-value-store.ts';

export class FileKeyValueStore implements KeyValueStore {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

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
    for (const entry of entries) eTags[entry.key] = await this.serialised(entry.key, () => this.writeOne(entry));
    return eTags;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.serialised(key, () => rm(this.fileOf(key), { force: true }));
  }

  private async writeOne({ key, value, eTag }: WriteEntry): Promise<string> {
    if (eTag !== undefined && eTag !== '*' && (await this.load(key))?.eTag !== eTag) throw new ETagConflictError(key);
    const next = randomUUID();
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${next}.tmp`;
    await writeFile(temporary, JSON.stringify({ key, eTag: next, value }));
    await rename(temporary, file);
    return next;
  }

  private async load(key: string): Promise<StoredItem | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const { value, eTag } = JSON.parse(text) as StoredItem;
    return { value, eTag };
  }

  /** Keys come from channels and users: hashed, they are always safe and short file names. */
  private fileOf(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return path.join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }

  private serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}
