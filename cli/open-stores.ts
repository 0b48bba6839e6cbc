/**
 * The stores the settings ask for: Redis when REDIS_URL is set (so several bot processes can share
 * them), otherwise the embedded SQLite database under DATA_DIR. `serve`, `migrate` and the benches
 * open them here, so each picks the same store the same way.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import type { Settings } from './settings.ts';

export interface OpenStores {
  state: KeyValueStore;
  evidence: EvidenceStore;
  /** Where the cross-process turn leases are kept (see `createBot`). */
  leases: KeyValueStore;
  /** Where the data is, for people: "SQLite (data/servicesim.db)" or "Redis"; never a URL (it carries the password). */
  description: string;
  /** Whether the store answers now, for /healthz. */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStores(
  settings: Pick<Settings, 'DATA_DIR' | 'REDIS_URL' | 'REDIS_CLUSTER'>,
  logger: Logger,
): Promise<OpenStores> {
  // A damaged or foreign item is set aside and named in the log, never allowed to break a conversation.
  const skipped = (where: string, problem: string) => logger.warn({ item: where, problem }, 'set aside a damaged or foreign stored item');
  if (settings.REDIS_URL) {
    const { connectRedis, pingRedis, closeRedis } = await import('../store/redis-connection.ts');
    const { RedisKeyValueStore } = await import('../store/redis-key-value-store.ts');
    const { RedisEvidenceStore } = await import('../store/redis-evidence-store.ts');
    const client = connectRedis({ url: settings.REDIS_URL, cluster: settings.REDIS_CLUSTER === 'true' });
    const state = new RedisKeyValueStore(client, { skipped });
    return {
      state,
      leases: state,
      evidence: new RedisEvidenceStore(client, { skipped }),
      description: settings.REDIS_CLUSTER === 'true' ? 'Redis Cluster' : 'Redis',
      reachable: () => pingRedis(client),
      close: () => closeRedis(client),
    };
  }
  const { openSqliteDatabase } = await import('../store/sqlite-database.ts');
  const { SqliteKeyValueStore } = await import('../store/sqlite-key-value-store.ts');
  const { SqliteEvidenceStore } = await import('../store/sqlite-evidence-store.ts');
  const file = path.join(path.resolve(settings.DATA_DIR), 'servicesim.db');
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
    reachable: async () => {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      state.close();
      leaseDb.close();
      db.close();
    },
  };
}
