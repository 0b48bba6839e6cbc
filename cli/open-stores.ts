/**
 * The stores the settings ask for: Redis when REDIS_URL is set (so several bot processes can share
 * them), otherwise the embedded SQLite database under DATA_DIR. `serve`, `migrate` and the benches
 * open them here, so each picks the same store the same way.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import type { RedisClient } from '../store/redis-connection.ts';
import type { Settings } from './settings.ts';
import { UsageError } from './usage-error.ts';

export interface OpenStores {
  state: KeyValueStore;
  evidence: EvidenceStore;
  /** Where the cross-process turn leases are kept (see `createBot`). */
  leases: KeyValueStore;
  /** Where the data is, for people: "SQLite (data/servicesim.db)" or "Redis"; never a URL (it carries the password). */
  description: string;
  /** What the operator should know about the store, one sentence each (printed at start by serve). */
  warnings: string[];
  /** Whether the store answers now, for /healthz. */
  reachable(): Promise<boolean>;
  /**
   * After an erasure: makes what was deleted unreadable on disk where the store can. SQLite zeroes
   * deleted rows in the database file (`secure_delete`), but the write-ahead log still holds the
   * pages as they were until a checkpoint: this checkpoints it and truncates it.
   */
  afterErasure(): Promise<void>;
  close(): Promise<void>;
}

/** A setting that names no usable store (a wrong Redis password, DATA_DIR a file): one line, naming the setting. */
export class StoreSettingError extends Error {}

/**
 * `check`: before returning, make sure Redis answers and takes the credentials (throwing
 * StoreSettingError if not), and warn if it keeps no append-only file; the commands check,
 * tests and benches that start their own Redis need not. `upgrade`: bring older data up to what
 * this version files (a walk over every Redis evidence record): once, at `serve`, not for every command.
 */
export async function openStores(
  settings: Pick<Settings, 'DATA_DIR' | 'REDIS_URL' | 'REDIS_CLUSTER'>,
  logger: Logger,
  { check = false, upgrade = false }: { check?: boolean; upgrade?: boolean } = {},
): Promise<OpenStores> {
  const warned: string[] = [];
  // A damaged or foreign item is set aside and named in the log, never allowed to break a conversation.
  const skipped = (where: string, problem: string) => logger.warn({ item: where, problem }, 'set aside a damaged or foreign stored item');
  if (settings.REDIS_URL) {
    const { connectRedis, describeRedisUrl, pingRedis, closeRedis } = await import('../store/redis-connection.ts');
    const { RedisKeyValueStore } = await import('../store/redis-key-value-store.ts');
    const { RedisEvidenceStore } = await import('../store/redis-evidence-store.ts');
    const { checkRedisAtStart } = await import('../store/redis-start-check.ts');
    const cluster = settings.REDIS_CLUSTER === 'true';
    let client: RedisClient;
    let description: string;
    try {
      description = `${cluster ? 'the Redis Cluster at' : 'Redis at'} ${describeRedisUrl(settings.REDIS_URL)}`;
      client = connectRedis({ url: settings.REDIS_URL, cluster });
    } catch (error) {
      // Named, so the operator knows which setting; the parser's message never quotes the URL (it carries the password).
      throw new StoreSettingError(`REDIS_URL: ${(error as Error).message}`);
    }
    if (check) {
      try {
        const { warnings } = await checkRedisAtStart(client, description);
        for (const warning of warnings) logger.warn(warning);
        warned.push(...warnings);
      } catch (error) {
        await closeRedis(client);
        throw new StoreSettingError((error as Error).message);
      }
    }
    const state = new RedisKeyValueStore(client, { skipped });
    const evidence = new RedisEvidenceStore(client, { skipped });
    if (upgrade) {
      // Records kept before the inbox's score flags existed are filed under them once, so the flag
      // filter never leaves them out. Safe to repeat, and by several processes starting at once.
      const filed = await evidence.fileUnflagged();
      if (filed > 0) logger.info({ records: filed }, 'filed older evidence records under their score flags');
    }
    return {
      state,
      leases: state,
      evidence,
      description,
      warnings: warned,
      // Redis keeps nothing deleted in memory; an append-only file holds it until Redis rewrites the file (see README, "Data protection").
      afterErasure: async () => undefined,
      reachable: () => pingRedis(client),
      close: () => closeRedis(client),
    };
  }
  const { openSqliteDatabase } = await import('../store/sqlite-database.ts');
  const { SqliteKeyValueStore } = await import('../store/sqlite-key-value-store.ts');
  const { SqliteEvidenceStore } = await import('../store/sqlite-evidence-store.ts');
  const folder = path.resolve(settings.DATA_DIR);
  if (existsSync(folder) && !statSync(folder).isDirectory())
    throw new StoreSettingError(`DATA_DIR: ${folder} is a file, not a folder: point DATA_DIR at the folder to keep the database in`);
  const file = path.join(folder, 'servicesim.db');
  const db = openSqliteDatabase(file);
  const state = new SqliteKeyValueStore(db, skipped);
  // A second connection whose commits do not wait for the disk: a lease lives seconds and a power cut
  // ends every turn anyway, so syncing it would only double a turn's waits for the disk. NORMAL, not
  // OFF: this connection also runs WAL checkpoints, which must still sync, or committed evidence could be lost.
  const leaseDb = openSqliteDatabase(file);
  leaseDb.pragma('synchronous = NORMAL');
  const leases = new SqliteKeyValueStore(leaseDb, skipped);
  // Redis expires items by itself; SQLite's expired rows read as absent and are swept away hourly.
  state.startRemovingExpired({
    onError: (error) => logger.warn({ err: { message: (error as Error).message } }, 'could not remove expired state'),
  });
  return {
    state,
    leases,
    evidence: new SqliteEvidenceStore(db, skipped),
    description: `SQLite (${file})`,
    warnings: warned,
    reachable: async () => {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    afterErasure: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    close: async () => {
      state.close();
      leaseDb.close();
      db.close();
    },
  };
}

/** The stores for a command: checked, and a setting that names no usable store said as a usage error (one line, exit 2). */
export async function openStoresForCommand(
  settings: Pick<Settings, 'DATA_DIR' | 'REDIS_URL' | 'REDIS_CLUSTER'>,
  logger: Logger,
  { upgrade = false }: { upgrade?: boolean } = {},
): Promise<OpenStores> {
  return openStores(settings, logger, { check: true, upgrade }).catch((error: unknown) => {
    throw error instanceof StoreSettingError ? new UsageError(error.message) : error;
  });
}
