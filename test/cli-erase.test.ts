/**
 * `servicesim erase` and `servicesim retention`, run as the real binary against a SQLite store in a
 * temporary DATA_DIR that the test fills (and reads back) through the real stores.
 */
import { userInfo } from 'node:os';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openStores } from '../cli/open-stores.ts';
import { AuditLog, learnerReference } from '../store/audit-log.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { TutorDirectory } from '../store/tutor-directory.ts';
import { runCli } from './run-cli.ts';
import { evidenceRecord } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

const ADA = 'tenant-1/learner-ada';
const KIT = 'tenant-1/learner-kit';
const WHO = `cli:${userInfo().username}`;

/** The stores of DATA_DIR, opened for `use` and closed after. */
async function withStores<T>(dataDir: string, use: (stores: Awaited<ReturnType<typeof openStores>>) => Promise<T>): Promise<T> {
  const stores = await openStores({ DATA_DIR: dataDir, REDIS_URL: '', REDIS_CLUSTER: 'false' }, pino({ level: 'silent' }));
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
}

/** Two rehearsals of Ada's (one old, one from today) and one of Kit's (old), reviewed, and Ada on a tutor's list. */
async function filled(): Promise<string> {
  const dataDir = temporaryFolder();
  const today = new Date().toISOString();
  await withStores(dataDir, async ({ evidence, state }) => {
    const records = [
      evidenceRecord({ id: 'ada-old', learner: { id: ADA }, endedAt: '2020-01-01T10:00:00.000Z' }),
      evidenceRecord({ id: 'ada-new', learner: { id: ADA }, endedAt: today }),
      evidenceRecord({ id: 'kit-old', learner: { id: KIT }, endedAt: '2020-01-02T10:00:00.000Z' }),
    ];
    for (const record of records) {
      await evidence.save(record);
      await new KeyValueReviewStore(state).append({
        id: `review-${record.id}`,
        recordId: record.id,
        reviewer: { id: 'tom@example.ac.uk', name: 'Tom' },
        at: today,
        dimensions: {},
        comments: [],
        feedback: 'Well done.',
        verdict: 'meets-standard',
      });
    }
    const directory = new TutorDirectory(state);
    await directory.put({ email: 'tom@example.ac.uk', role: 'tutor' });
    await directory.changeLearners('tom@example.ac.uk', { add: [ADA, KIT] });
  });
  return dataDir;
}

const run = (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env: { DATA_DIR: dataDir, ...env } });

// Each command starts the binary, which compiles TypeScript as it goes: a few seconds each on a busy machine.
describe('servicesim erase', { timeout: 60_000 }, () => {
  it('says what it would erase and erases nothing without --yes; with --yes erases it all, audited as the account that ran it', async () => {
    const dataDir = await filled();
    const asked = run(dataDir, ['erase', '--learner', ADA]);
    expect(asked).toEqual({
      code: 0,
      stdout: `Learner "${ADA}": 2 rehearsal records, 2 reviews, on 1 tutor's list.\nNothing was erased. To erase it all, with everything else kept about the learner, run:\n  servicesim erase --learner ${ADA} --yes\n`,
      stderr: expect.stringMatching(/^\(in SQLite \(.*servicesim\.db\)\)\n$/),
    });
    expect(await withStores(dataDir, async ({ evidence }) => (await evidence.listFor(ADA)).length)).toBe(2);

    const erased = run(dataDir, ['erase', '--learner', ADA, '--yes']);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toBe(
      `Erased learner "${ADA}": rehearsal records: 2, reviews: 2, tutor assignments: 1.\nThe audit log names them ${learnerReference(ADA)}.\n`,
    );
    await withStores(dataDir, async ({ evidence, state }) => {
      expect(await evidence.listFor(ADA)).toEqual([]);
      expect(await new KeyValueReviewStore(state).reviewsOf('ada-old')).toEqual([]);
      expect((await evidence.listFor(KIT)).map((r) => r.id)).toEqual(['kit-old']);
      expect((await new TutorDirectory(state).get('tom@example.ac.uk'))?.learners).toEqual([KIT]);
      expect(await new AuditLog({ store: state }).list()).toEqual([
        {
          at: expect.any(String),
          who: WHO,
          action: 'erase',
          subject: learnerReference(ADA),
          detail: expect.stringContaining('rehearsal records: 2'),
        },
      ]);
    });
  });

  it('says when nothing is kept about the id, and refuses a missing or empty id (exit 2)', async () => {
    const dataDir = await filled();
    expect(run(dataDir, ['erase', '--learner', 'tenant-1/nobody']).stdout).toMatch(
      /^No rehearsals or tutor assignments are kept for learner "tenant-1\/nobody"\. Check the id as the review pages show it\.\nNothing was erased\./,
    );
    expect(run(dataDir, ['erase']).code).toBe(2);
    expect(run(dataDir, ['erase', '--learner', ' '])).toMatchObject({ code: 2, stderr: 'servicesim: --learner needs a learner id\n' });
  });
});

describe('servicesim retention', { timeout: 60_000 }, () => {
  it('counts with --dry-run, then deletes only the records past the period, audited', async () => {
    const dataDir = await filled();
    const dry = run(dataDir, ['retention', '--days', '30', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^2 rehearsal records ended before \d{4}-\d\d-\d\dT[\d:.]+Z \(more than 30 days ago\) and would be deleted, with everything kept about them\. Nothing was deleted\.\n$/,
    );
    expect(await withStores(dataDir, async ({ evidence }) => (await evidence.list({ limit: 10 })).total)).toBe(3);

    // The period from RETENTION_DAYS when --days is not given.
    const purged = run(dataDir, ['retention'], { RETENTION_DAYS: '30' });
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(/: rehearsal records: 2, reviews: 2\.\n$/);
    await withStores(dataDir, async ({ evidence, state }) => {
      expect((await evidence.list({ limit: 10 })).records.map((r) => r.id)).toEqual(['ada-new']);
      expect((await new AuditLog({ store: state }).list()).map((e) => [e.who, e.action, e.subject])).toEqual([[WHO, 'retention', 'all']]);
    });
  });

  it('refuses to run with no period, or one that is not a whole number of days (exit 2, one line)', async () => {
    const dataDir = await filled();
    expect(run(dataDir, ['retention'], { RETENTION_DAYS: '' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'servicesim: no retention period: pass --days <n>, or set RETENTION_DAYS\n',
    });
    expect(run(dataDir, ['retention', '--days', 'ten'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'servicesim: --days must be a whole number of days from 1 to 36500, not "ten"\n',
    });
    // 0, as for STATE_EXPIRY_DAYS, means none: records are kept until erased.
    expect(run(dataDir, ['retention'], { RETENTION_DAYS: '0' }).stderr).toBe(
      'servicesim: no retention period: pass --days <n>, or set RETENTION_DAYS\n',
    );
    expect(run(dataDir, ['retention'], { RETENTION_DAYS: 'ten' }).stderr).toMatch(/RETENTION_DAYS/);
    expect(await withStores(dataDir, async ({ evidence }) => (await evidence.list({ limit: 10 })).total)).toBe(3);
  });
});
