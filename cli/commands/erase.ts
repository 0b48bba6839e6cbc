/**
 * `servicesim erase --learner <id> [--yes]` and `servicesim retention [--days N] [--dry-run]`: an
 * admin's commands to erase a learner from every store, and to delete the records past the
 * retention period now rather than at the server's daily run. Both work on the configured store
 * (SQLite under DATA_DIR, or Redis) and are audited as `cli:<the account that ran them>`.
 *
 * @remarks
 * Erasing cannot be undone, so without --yes `erase` only says what it would erase. It prints the
 * learner's audit reference: the audit log names an erased learner by it, never by their id.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import pino from 'pino';
import { z } from 'zod';
import { AuditLog, learnerReference } from '../../store/audit-log.ts';
import { learnerDataHolders } from '../../store/learner-data-holders.ts';
import { describeCounts, LearnerErasure } from '../../store/learner-erasure.ts';
import { Retention } from '../../store/retention.ts';
import { openStoresForCommand, type OpenStores } from '../open-stores.ts';
import { readSettings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

/** A whole number of days, 1 to 36,500, as `--days` gives it (RETENTION_DAYS of 0, or empty: none). */
const RetentionDaysSchema = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(36_500).optional());

export function registerEraseCommands(program: Command): void {
  program
    .command('erase')
    .description("erase a learner's rehearsals, reviews and everything else kept about them, from every store (admins only)")
    .requiredOption('--learner <id>', 'the learner id, as the review pages show it')
    .option('--yes', 'erase: without it, only say what would be erased')
    .action(async (options: { learner: string; yes?: boolean }) =>
      withStores(async (parts) => {
        const learnerId = options.learner.trim();
        if (learnerId === '') throw new UsageError('--learner needs a learner id');
        const erasure = new LearnerErasure(parts);
        if (!options.yes) {
          const { records, reviews, tutorAssignments } = await erasure.preview(learnerId);
          const found =
            records + tutorAssignments === 0
              ? `No rehearsals or tutor assignments are kept for learner "${learnerId}". Check the id as the review pages show it.`
              : `Learner "${learnerId}": ${plural(records, 'rehearsal record')}, ${plural(reviews, 'review')}, on ${plural(tutorAssignments, "tutor's list", "tutors' lists")}.`;
          return `${found}\nNothing was erased. To erase it all, with everything else kept about the learner, run:\n  servicesim erase --learner ${quoted(learnerId)} --yes`;
        }
        const { counts } = await erasure.eraseLearner(learnerId, whoRan());
        return `Erased learner "${learnerId}": ${describeCounts(counts)}.\nThe audit log names them ${learnerReference(learnerId)}.`;
      }),
    );
  program
    .command('retention')
    .description('delete the rehearsal records that ended longer ago than the retention period, with everything kept about them')
    .option('--days <n>', 'the retention period in days (default: RETENTION_DAYS)')
    .option('--dry-run', 'only say how many records would be deleted')
    .action(async (options: { days?: string; dryRun?: boolean }) => {
      const days = retentionDaysOf(options.days);
      await withStores(async (parts) => {
        const retention = new Retention({ ...parts, erasure: new LearnerErasure(parts) });
        const now = new Date();
        const ago = `more than ${plural(days, 'day')} ago`;
        if (options.dryRun) {
          const { cutoff, records } = await retention.countExpired({ retentionDays: days, now });
          return `${plural(records, 'rehearsal record')} ended before ${cutoff} (${ago}) and would be deleted, with everything kept about them. Nothing was deleted.`;
        }
        const { cutoff, counts } = await retention.purgeExpired({ retentionDays: days, now, who: whoRan() });
        return `Deleted what was kept of the rehearsals that ended before ${cutoff} (${ago}): ${describeCounts(counts)}.`;
      });
    });
}

/** `--days`, else RETENTION_DAYS, checked; a usage error when neither gives a period. */
function retentionDaysOf(given: string | undefined): number {
  const configured = readSettings().RETENTION_DAYS;
  const [source, value] = given === undefined ? ['RETENTION_DAYS', configured === 0 ? undefined : configured] : ['--days', given];
  const parsed = RetentionDaysSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${source} must be a whole number of days from 1 to 36500, not "${value}"`);
  if (parsed.data === undefined) throw new UsageError('no retention period: pass --days <n>, or set RETENTION_DAYS');
  return parsed.data;
}

type ErasureStores = {
  evidence: OpenStores['evidence'];
  state: OpenStores['state'];
  audit: AuditLog;
  holders: ReturnType<typeof learnerDataHolders>;
};

async function withStores(work: (parts: ErasureStores) => Promise<string>): Promise<void> {
  const settings = readSettings();
  const stores = await openStoresForCommand(settings, pino({ level: 'silent' }));
  try {
    const parts = {
      evidence: stores.evidence,
      state: stores.state,
      audit: new AuditLog({ store: stores.state }),
      holders: learnerDataHolders(stores.state),
      afterErasure: () => stores.afterErasure(),
    };
    process.stdout.write(`${await work(parts).catch(toUsageError)}\n`);
    // Which store: erasing from another folder's database than the running bot's would erase nothing there.
    process.stderr.write(`(in ${stores.description})\n`);
  } finally {
    await stores.close();
  }
}

/** Who ran the command, for the audit log: the operating system's account. */
const whoRan = () => `cli:${userInfo().username}`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The id as a shell would need it typed again. */
const quoted = (text: string) => (/^[\w./@:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

function toUsageError(error: unknown): never {
  if (error instanceof RangeError) throw new UsageError(error.message);
  throw error;
}
