/**
 * `servicesim tutor …`, run as the real binary against a SQLite store in a temporary DATA_DIR, and,
 * where it matters, against a real bot server sharing that store (SQLite in WAL mode lets the CLI
 * and the server's process use it at once): what the CLI changes, the server sees on the next request.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openStores } from '../cli/open-stores.ts';
import { startBotServer } from './bot-server.ts';
import { signIn } from './review-fixtures.ts';
import { runCli } from './run-cli.ts';
import { temporaryFolder } from './temporary-folder.ts';

const PASSWORD = 'correct horse battery staple';
const TOKEN = /^sst_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/;

/** `servicesim tutor <args>` with DATA_DIR set, and what it wrote. */
const tutor = (dataDir: string, args: string[], input?: string) =>
  runCli(['tutor', ...args], { env: { DATA_DIR: dataDir }, ...(input === undefined ? {} : { input }) });

/** Every byte of the SQLite database, its write-ahead log included. */
const storedBytes = (dataDir: string) =>
  Buffer.concat(
    readdirSync(dataDir)
      .filter((name) => name.startsWith('servicesim.db'))
      .map((name) => readFileSync(path.join(dataDir, name))),
  );

/**
 * GET /api/rehearsals with a bearer token, on a connection of its own. Not fetch: runCli blocks this
 * process while the CLI runs, and a kept-alive connection the server times out meanwhile would be
 * reused just as the server closes it (ECONNRESET), which says nothing about the server.
 */
function rehearsalsWith(url: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(`${url}/api/rehearsals`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

// Each command starts the binary, which compiles TypeScript as it goes: a few seconds each on a busy machine.
describe('servicesim tutor', { timeout: 60_000 }, () => {
  it('adds an admin with the password piped on standard input, lists them, and the password signs them in', async () => {
    const dataDir = temporaryFolder();
    const added = tutor(dataDir, ['add', 'Ann.Admin@Example.AC.UK', '--name', 'Ann Admin', '--admin'], `${PASSWORD}\n`);
    // Which store is said on stderr: a tutor added to another folder's database could never sign in to this bot.
    expect(added).toEqual({ code: 0, stdout: 'Added admin ann.admin@example.ac.uk.\n', stderr: keptIn(dataDir) });

    const listed = tutor(dataDir, ['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('ann.admin@example.ac.uk\tadmin\tAnn Admin\tevery learner\tpassword\t0 API tokens\n');

    const bot = await startBotServer(undefined, dataDir);
    try {
      // The password piped in is the one kept: the sign-in form takes it.
      await signIn(bot.url, 'ann.admin@example.ac.uk', PASSWORD);
    } finally {
      await bot.close();
    }
  });

  it('refuses a password shorter than 12 characters, or none piped (exit 2, one clear line), and adds no one', () => {
    const dataDir = temporaryFolder();
    const added = tutor(dataDir, ['add', 'short@example.ac.uk', '--admin'], 'too short\n');
    expect(added).toEqual({ code: 2, stdout: '', stderr: 'servicesim: a password needs at least 12 characters\n' });
    const none = tutor(dataDir, ['add', 'short@example.ac.uk', '--admin'], '');
    expect(none).toEqual({
      code: 2,
      stdout: '',
      stderr: 'servicesim: no password on standard input: pipe one line, or run in a terminal to be asked\n',
    });
    expect(tutor(dataDir, ['list']).stdout).toBe('No tutors yet. Add one with: npx servicesim tutor add <email> --admin\n');
  });

  it('refuses an address that is not an email (exit 2) and adds no one', () => {
    const dataDir = temporaryFolder();
    const added = tutor(dataDir, ['add', 'not-an-email', '--admin'], `${PASSWORD}\n`);
    expect(added).toEqual({ code: 2, stdout: '', stderr: 'servicesim: "not-an-email" is not an email address\n' });
    expect(tutor(dataDir, ['list']).stdout).toMatch(/^No tutors yet\./);
  });

  it('gives a tutor learners and takes them away, and list counts them', () => {
    const dataDir = temporaryFolder();
    expect(tutor(dataDir, ['add', 'tom@example.ac.uk', '--name', 'Tom'], `${PASSWORD}\n`).stdout).toBe('Added tutor tom@example.ac.uk.\n');

    const changed = tutor(dataDir, ['learners', 'tom@example.ac.uk', '--add', 'a', 'b', '--remove', 'a']);
    // Learner ids with no rehearsals yet are pointed out, so a typo does not silently show the tutor nothing.
    expect(changed).toEqual({
      code: 0,
      stdout: 'b\n',
      stderr: expect.stringMatching(/no rehearsals from learner "a" yet[\s\S]*no rehearsals from learner "b" yet/),
    });

    const listed = tutor(dataDir, ['list']);
    expect(listed.stdout).toBe('tom@example.ac.uk\ttutor\tTom\t1 learner\tpassword\t0 API tokens\n');
  });

  it('prints an API token that a running server takes at once, until it is revoked or the tutor removed', { timeout: 90_000 }, async () => {
    const dataDir = temporaryFolder();
    // The server is up first: every change below is made by another process while it runs.
    const bot = await startBotServer(undefined, dataDir);
    try {
      const email = 'tina@example.ac.uk';
      expect(tutor(dataDir, ['add', email, '--admin'], `${PASSWORD}\n`).code).toBe(0);

      const issued = tutor(dataDir, ['token', email]);
      expect(issued.code).toBe(0);
      const token = issued.stdout.trim();
      expect(token).toMatch(TOKEN);
      expect(issued.stdout).toBe(`${token}\n`);
      const accepted = await rehearsalsWith(bot.url, token);
      expect(accepted).toEqual({ status: 200, body: { items: [], total: 0, next: null } });
      expect(tutor(dataDir, ['list']).stdout).toMatch(/\t1 API token\n$/);

      expect(tutor(dataDir, ['revoke', email])).toEqual({ code: 0, stdout: 'Revoked 1 token.\n', stderr: keptIn(dataDir) });
      expect((await rehearsalsWith(bot.url, token)).status).toBe(401);

      // A new token works again; removing the tutor ends it too.
      const second = tutor(dataDir, ['token', email]).stdout.trim();
      expect(second).toMatch(TOKEN);
      expect(second).not.toBe(token);
      expect((await rehearsalsWith(bot.url, second)).status).toBe(200);

      expect(tutor(dataDir, ['remove', email])).toEqual({ code: 0, stdout: `Removed ${email}.\n`, stderr: keptIn(dataDir) });
      expect((await rehearsalsWith(bot.url, second)).status).toBe(401);
      const listed = tutor(dataDir, ['list']);
      expect(listed.stdout).not.toContain(email);
      expect(listed.stdout).toMatch(/^No tutors yet\./);
    } finally {
      await bot.close();
    }
  });

  it('keeps neither the password nor an API token in clear, only their hashes', async () => {
    const dataDir = temporaryFolder();
    const email = 'hash@example.ac.uk';
    expect(tutor(dataDir, ['add', email], `${PASSWORD}\n`).code).toBe(0);
    const token = tutor(dataDir, ['token', email]).stdout.trim();
    expect(token).toMatch(TOKEN);
    const [id, secret] = token.slice('sst_'.length).split('.') as [string, string];

    const bytes = storedBytes(dataDir);
    expect(bytes.length).toBeGreaterThan(0);
    for (const clear of [PASSWORD, token, secret]) expect(bytes.includes(clear), clear).toBe(false);

    const stores = await openStores({ DATA_DIR: dataDir, REDIS_URL: '', REDIS_CLUSTER: 'false' }, pino({ level: 'silent' }));
    try {
      const stored = (await stores.state.read(['tutors/directory']))['tutors/directory']?.value;
      const text = JSON.stringify(stored);
      for (const clear of [PASSWORD, token, secret]) expect(text).not.toContain(clear);
      const account = (stored as { tutors: Record<string, { passwordHash: string; tokens: { id: string; hash: string }[] }> }).tutors[
        email
      ]!;
      expect(account.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(account.tokens).toEqual([expect.objectContaining({ id, hash: createHash('sha256').update(secret).digest('hex') })]);
    } finally {
      await stores.close();
    }
  });
});

/** What every tutor command says on stderr about where it kept the tutors. */
function keptIn(dataDir: string): string {
  return `(tutors kept in SQLite (${path.join(path.resolve(dataDir), 'servicesim.db')}))\n`;
}
