/**
 * The key-value store in the embedded SQLite database (the default): bot state, the rehearsal log
 * and the turn lease, one row per key with a random eTag per write, and an expiry time for the
 * items written with a TTL. Runs on every bot turn, so its statements are prepared once.
 *
 * @remarks
 * A batch is written in one IMMEDIATE transaction: each entry is still checked and written on its
 * own, with its own outcome, but a fault part way (a full disk) rolls the whole batch back, so a
 * StoreUnavailableError always means nothing was written. One transaction is also one sync to disk
 * (`synchronous = FULL`) rather than one per key. better-sqlite3 is synchronous: an eTag check and
 * its write can never interleave with another call in this process, and the write lock keeps other
 * processes out.
 *
 * Expired rows read as absent at once and are deleted later by `removeExpired`, so a read never
 * has to write.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  StoreUnavailableError,
  storableForm,
  type KeyValueStore,
  type StoredItem,
  type WriteEntry,
  type WriteOutcome,
} from './key-value-store.ts';
import { reportToStderr, type SkippedItemReporter } from './skipped-item.ts';
import { storeFault } from './sqlite-database.ts';

const ONE_HOUR_MS = 60 * 60 * 1000;

interface Row {
  value: string;
  etag: string;
  expiresAt: number | null;
}

/** An entry ready to be written: its value as JSON and its expiry fixed before the transaction starts. */
interface PreparedEntry {
  key: string;
  value: string;
  expiresAt: number | null;
  eTag: string | undefined;
  create: boolean;
}

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly selectOne;
  private readonly upsert;
  private readonly insertIfAbsentOrExpired;
  private readonly updateIfUnchanged;
  private readonly deleteOne;
  private readonly deleteOneIfUnchanged;
  private readonly deleteExpired;
  private readonly copyAside;
  private readonly writeBatch;
  private readonly deleteBatch;
  private readonly setAside;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly skipped: SkippedItemReporter = reportToStderr,
  ) {
    this.selectOne = db.prepare<[string], Row>('SELECT value, etag, expires_at AS expiresAt FROM key_value WHERE key = ?');
    const insert = 'INSERT INTO key_value (key, value, etag, expires_at) VALUES (@key, @value, @etag, @expiresAt)';
    const replace = 'ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, expires_at = excluded.expires_at';
    this.upsert = db.prepare(`${insert} ${replace}`);
    this.insertIfAbsentOrExpired = db.prepare(
      `${insert} ${replace} WHERE key_value.expires_at IS NOT NULL AND key_value.expires_at <= @now`,
    );
    // An expired item is a missing one, and a missing item's eTag never matches.
    const unchanged = 'key = @key AND etag = @expected AND (expires_at IS NULL OR expires_at > @now)';
    this.updateIfUnchanged = db.prepare(`UPDATE key_value SET value = @value, etag = @etag, expires_at = @expiresAt WHERE ${unchanged}`);
    this.deleteOne = db.prepare('DELETE FROM key_value WHERE key = ?');
    this.deleteOneIfUnchanged = db.prepare(`DELETE FROM key_value WHERE ${unchanged}`);
    this.deleteExpired = db.prepare('DELETE FROM key_value WHERE expires_at IS NOT NULL AND expires_at <= ?');
    this.copyAside = db.prepare(
      "INSERT INTO set_aside (source, key, content, problem, at) SELECT 'state', key, value, @problem, @at FROM key_value WHERE key = @key AND etag = @etag",
    );
    const deleteIfSame = db.prepare('DELETE FROM key_value WHERE key = @key AND etag = @etag');

    this.writeBatch = db.transaction((entries: readonly PreparedEntry[], now: number) => {
      const outcomes: Record<string, WriteOutcome> = {};
      for (const entry of entries) outcomes[entry.key] = this.writeOne(entry, now);
      return outcomes;
    });
    this.deleteBatch = db.transaction((keys: readonly string[]) => {
      for (const key of keys) this.deleteOne.run(key);
    });
    // Only the row as it was read is moved: one rewritten since (by another process) is left alone.
    this.setAside = db.transaction((key: string, etag: string, problem: string) => {
      this.copyAside.run({ key, etag, problem, at: new Date().toISOString() });
      deleteIfSame.run({ key, etag });
    });
  }

  async read(keys: readonly string[]): Promise<Record<string, StoredItem>> {
    return this.guard('read state', () => {
      const now = Date.now();
      const out: Record<string, StoredItem> = {};
      for (const key of keys) {
        const row = this.selectOne.get(key);
        if (!row || (row.expiresAt !== null && row.expiresAt <= now)) continue;
        const value = this.parse(key, row);
        if (value !== NOT_JSON) out[key] = { value, eTag: row.etag };
      }
      return out;
    });
  }

  async write(entries: readonly WriteEntry[]): Promise<Record<string, WriteOutcome>> {
    if (entries.length === 0) return {};
    const now = Date.now();
    // Checked before the transaction: a value that cannot be stored is the caller's mistake, not a fault of the store.
    const prepared = entries.map((entry) => prepare(entry, now));
    return this.guard(`write ${entries.length} state item${entries.length === 1 ? '' : 's'}`, () =>
      this.writeBatch.immediate(prepared, now),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.guard('delete state', () => this.deleteBatch.immediate(keys));
  }

  async deleteIfUnchanged(key: string, eTag: string): Promise<boolean> {
    return this.guard('delete state', () => this.deleteOneIfUnchanged.run({ key, expected: eTag, now: Date.now() }).changes > 0);
  }

  /** Deletes the items expired by `now`; returns how many. They already read as absent: this reclaims their space. */
  removeExpired(now = Date.now()): number {
    return this.guard('remove expired state', () => this.deleteExpired.run(now).changes);
  }

  /**
   * Removes expired items now, then every `everyMs` (an hour), on a timer that never keeps the
   * process alive; `close()` stops it. A sweep that fails is reported to `onError` and tried again
   * at the next: expired items read as absent meanwhile, so nothing waits on it. Returns how many
   * were removed now.
   */
  startRemovingExpired({
    everyMs = ONE_HOUR_MS,
    onError = reportSweepFailure,
  }: { everyMs?: number; onError?: (error: unknown) => void } = {}): number {
    clearInterval(this.sweep);
    const removed = this.removeExpired();
    this.sweep = setInterval(() => {
      try {
        this.removeExpired();
      } catch (error) {
        onError(error);
      }
    }, everyMs).unref();
    return removed;
  }

  /** Stops the expiry timer. The database is the opener's to close. */
  close(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private writeOne(entry: PreparedEntry, now: number): WriteOutcome {
    const etag = randomUUID();
    const row = { key: entry.key, value: entry.value, etag, expiresAt: entry.expiresAt, now };
    if (entry.create)
      return this.insertIfAbsentOrExpired.run(row).changes > 0 ? { written: true, eTag: etag } : { written: false, reason: 'exists' };
    if (entry.eTag === undefined || entry.eTag === '*') {
      this.upsert.run(row);
      return { written: true, eTag: etag };
    }
    const written = this.updateIfUnchanged.run({ ...row, expected: entry.eTag }).changes > 0;
    return written ? { written: true, eTag: etag } : { written: false, reason: 'eTag conflict' };
  }

  /**
   * A value that is not JSON (the database damaged, or edited by hand) reads as absent, so the
   * conversation can go on; it is moved to set_aside, not lost, and reported by key only: the value
   * may hold a learner's words.
   */
  private parse(key: string, row: Row): unknown {
    try {
      return JSON.parse(row.value);
    } catch {
      this.putAside(key, row);
      return NOT_JSON;
    }
  }

  /** When the database cannot be written (read-only, full), the row stays where it is, but is still reported and read as absent. */
  private putAside(key: string, row: Row): void {
    try {
      this.setAside.immediate(key, row.etag, 'not JSON');
    } catch (error) {
      const fault = storeFault(error, this.db, 'set a damaged value aside');
      if (!(fault instanceof StoreUnavailableError)) throw fault;
      this.skipped(`sqlite state "${key}"`, `not JSON; left in place (${fault.message})`);
      return;
    }
    this.skipped(`sqlite state "${key}"`, 'not JSON; set aside');
  }

  private guard<T>(doing: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw storeFault(error, this.db, doing);
    }
  }
}

/** What `parse` returns for a damaged value: unlike undefined, no JSON value can be this. */
const NOT_JSON = Symbol('not JSON');

function prepare(entry: WriteEntry, now: number): PreparedEntry {
  const { json, ttlMs } = storableForm(entry);
  return {
    key: entry.key,
    value: json,
    expiresAt: ttlMs === undefined ? null : now + ttlMs,
    eTag: entry.eTag,
    create: entry.create === true,
  };
}

function reportSweepFailure(error: unknown): void {
  process.stderr.write(
    `servicesim: could not remove expired state (will try again): ${error instanceof Error ? error.message : String(error)}\n`,
  );
}
