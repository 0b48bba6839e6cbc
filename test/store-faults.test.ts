/**
 * The store going away under a running bot, and damaged items in it: the learner is told their
 * rehearsal is paused, nothing they were shown is lost, the process does not die, and it carries on
 * by itself once the store is back. A damaged item is set aside and never locks a conversation.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openStores, type OpenStores } from '../cli/open-stores.ts';
import { sayAsLocalPage } from './local-page-message.ts';
import { startRedisServer } from './redis-server.ts';
import { startServiceSimProcess, type ServiceSimProcess } from './servicesim-process.ts';
import { startBotServer } from './bot-server.ts';
import { runCli } from './run-cli.ts';
import { temporaryFolder } from './temporary-folder.ts';

/** Posts a message as the local page does; returns its replies as JSON text, to match against. */
const say = async (url: string, conversation: string, text: string) => JSON.stringify(await sayAsLocalPage(url, conversation, text));

async function healthOf(url: string): Promise<{ status: number; store?: string }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, ...((await response.json()) as { store?: string }) };
}

describe('Redis going away mid-rehearsal', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let bot: ServiceSimProcess;

  beforeAll(async () => {
    // Persistent, as production Redis must be: a restart keeps what was written.
    redis = await startRedisServer({ persistent: true });
    bot = await startServiceSimProcess({ REDIS_URL: redis.url });
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await redis?.stop();
  });

  it('says at start where the data is, and gives no warning for a Redis that keeps an append-only file', async () => {
    await expect.poll(() => bot.stdout()).toContain(`Evidence and state are kept in Redis at 127.0.0.1:${redis.port}\n`);
    expect(bot.stdout()).not.toMatch(/Warning/);
  });

  it('pauses the rehearsal, loses nothing, and carries on by itself when Redis is back', async () => {
    await say(bot.url, 'outage', 'hello');
    await say(bot.url, 'outage', 'start faulty-washing-machine');
    const first = "I'm sorry about that. When did it start leaking?";
    expect(await say(bot.url, 'outage', first)).not.toMatch(/paused/);

    await redis.stop();
    const second = 'And what did the engineer say when he came?';
    const paused = await say(bot.url, 'outage', second);
    expect(paused).toMatch(/Your rehearsal is paused/);
    expect(paused).not.toMatch(/ECONNREFUSED|Redis|stack|Reference/);
    expect(await healthOf(bot.url)).toMatchObject({ status: 503, store: 'unreachable' });

    await redis.restart();
    await expect.poll(async () => (await healthOf(bot.url)).status, { timeout: 20_000, interval: 200 }).toBe(200);
    expect(await say(bot.url, 'outage', second)).not.toMatch(/paused|went wrong/);
    expect(await say(bot.url, 'outage', 'end')).toContain('Debrief');

    const stores: OpenStores = await openStores({ DATA_DIR: '', REDIS_URL: redis.url, REDIS_CLUSTER: 'false' }, pino({ level: 'silent' }));
    try {
      const [record] = await stores.evidence.listFor('webchat-local/learner-of-outage');
      expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([first, second]);
    } finally {
      await stores.close();
    }
  });
});

describe('a damaged item in the embedded store', () => {
  it('never locks a conversation: the damaged state is set aside, and the learner can start again', async () => {
    const dir = temporaryFolder('servicesim-data-');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const bot = await startBotServer({}, dir, { logger });
    try {
      await say(bot.url, 'damaged', 'hello');
      await say(bot.url, 'damaged', 'start faulty-washing-machine');
      await say(bot.url, 'damaged', "I'm sorry about that. When did it start leaking?");
      const db = new Database(path.join(dir, 'servicesim.db'));
      const cut = db
        .prepare("UPDATE key_value SET value = substr(value, 1, 40) WHERE key LIKE 'webchat-local/conversations/damaged%'")
        .run();
      db.close();
      expect(cut.changes).toBe(1);
      expect(await say(bot.url, 'damaged', 'And what did the engineer say?')).toMatch(/not in a rehearsal/);
      expect(await say(bot.url, 'damaged', 'start faulty-washing-machine')).toMatch(/faulty|washing/i);
      expect(lines.some((line) => /set aside/.test(line))).toBe(true);
      // The log names the item, never its content (a learner's words).
      expect(lines.join('\n')).not.toMatch(/When did it start leaking/);
    } finally {
      await bot.close();
    }
  });
});

describe('a store that cannot be used at start', () => {
  it('stops serve with one line naming REDIS_URL when Redis refuses the password, never showing it', async () => {
    const redis = await startRedisServer();
    try {
      execFileSync('redis-cli', ['-p', String(redis.port), 'CONFIG', 'SET', 'requirepass', 'the-right-one']);
      const result = runCli(['serve', '--port', '0'], { env: { REDIS_URL: `redis://:not-the-password@127.0.0.1:${redis.port}` } });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `servicesim: Redis at 127.0.0.1:${redis.port} refused the credentials in REDIS_URL (WRONGPASS): check the user name and password`,
      ]);
      expect(result.stdout + result.stderr).not.toContain('not-the-password');
    } finally {
      await redis.stop();
    }
  });

  it('stops serve with one line when no Redis answers, and when REDIS_URL is not a Redis URL', async () => {
    const nobody = await freePort();
    // Loading the library and waiting 10 s for Redis take about 22 s on a quiet 2-core machine: more than the usual 25 s when busy.
    const silent = runCli(['serve', '--port', '0'], { env: { REDIS_URL: `redis://127.0.0.1:${nobody}` }, timeoutMs: 50_000 });
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(
      new RegExp(`^servicesim: Redis at 127\\.0\\.0\\.1:${nobody} did not answer within 10 s \\(\\w+\\): check REDIS_URL`),
    );
    const nonsense = runCli(['serve', '--port', '0'], { env: { REDIS_URL: 'nonsense' } });
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toMatch(/^servicesim: REDIS_URL: the Redis URL is not a URL/);
    // Two starts of the command, one waiting 10 s for Redis: on a busy 2-core machine, more than the default 30 s.
  }, 90_000);

  it('stops serve with one line when DATA_DIR is a file', async () => {
    const file = path.join(temporaryFolder('servicesim-data-'), 'not-a-folder');
    writeFileSync(file, 'x');
    const result = runCli(['serve', '--port', '0'], { env: { DATA_DIR: file } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `servicesim: DATA_DIR: ${file} is a file, not a folder: point DATA_DIR at the folder to keep the database in`,
    );
  });
});

/** A loopback port with nothing listening on it. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
