/**
 * What `servicesim serve` checks of Redis before it says it is listening: that Redis answers and
 * takes the credentials (a wrong password or port is an operator's mistake to report at once, in one
 * line, not a "paused" rehearsal for every learner), and whether it keeps an append-only file, without
 * which a Redis restart loses every evidence record (a warning: a test or a cache may run without).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-connection.ts';

/** Replies that say Redis will never take these credentials, however long one waits. */
const REFUSED_CREDENTIALS = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

export interface RedisStartCheck {
  /** Things the operator should know, one sentence each. */
  warnings: string[];
}

/** Resolves once Redis answers; throws a one-line reason when it refuses the credentials or stays silent for `waitMs`. */
export async function checkRedisAtStart(client: RedisClient, where: string, waitMs = 10_000): Promise<RedisStartCheck> {
  const deadline = Date.now() + waitMs;
  let last = 'no answer';
  for (;;) {
    try {
      await client.ping();
      break;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const refused = REFUSED_CREDENTIALS.exec(message);
      if (refused) throw new Error(`${where} refused the credentials in REDIS_URL (${refused[1]}): check the user name and password`);
      last = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'no answer');
      if (Date.now() >= deadline)
        throw new Error(`${where} did not answer within ${waitMs / 1000} s (${last}): check REDIS_URL and that Redis is running`);
      await sleep(250);
    }
  }
  return { warnings: (await keepsAppendOnlyFile(client)) ? [] : [NO_APPEND_ONLY_FILE(where)] };
}

const NO_APPEND_ONLY_FILE = (where: string) =>
  `${where} keeps no append-only file (appendonly no): if it restarts, every evidence record and rehearsal in it is lost. Turn on appendonly with appendfsync everysec or always (see README, "Storage").`;

/** Whether every master keeps an append-only file (`INFO persistence`, which Azure Cache for Redis allows, unlike CONFIG). */
async function keepsAppendOnlyFile(client: RedisClient): Promise<boolean> {
  const masters = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  for (const node of masters) {
    const info = await node.info('persistence').catch(() => '');
    // Unknown (INFO refused): no warning rather than a wrong one.
    const enabled = /^aof_enabled:(\d)/m.exec(info)?.[1];
    if (enabled === '0') return false;
  }
  return true;
}
