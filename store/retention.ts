/**
 * The retention period (`RETENTION_DAYS`): rehearsal records that ended longer ago than that are
 * deleted, with everything kept about them (as `LearnerErasure.eraseRecords` removes it), a page
 * at a time, and each run is audited. Without a period, records are kept for ever.
 *
 * @remarks
 * The server runs it daily (`start`). Every bot process may start the timer: a run begins only in
 * the process that creates the run's token (`retention/last-run`, create-only, living one
 * interval), so several processes make one run a day between them, and a run that does overlap
 * another (a command-line run, say) only repeats deletes that are safe to repeat.
 */
import type { Logger } from 'pino';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { addCounts, describeCounts, emptyCounts, type ErasureCounts, type LearnerErasure } from './learner-erasure.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Records deleted per page: one listing, then one erasure round, each. */
const PAGE = 100;
/** The longest period taken: a hundred years is "for ever" in all but name, and beyond it dates stop being dates. */
const MAX_RETENTION_DAYS = 36_500;
/** How often each process looks whether the day's run is due. */
const LOOK_EVERY_MS = 60 * 60 * 1000;
const RUN_TOKEN_KEY = 'retention/last-run';

export interface RetentionParts {
  evidence: EvidenceStore;
  /** Where the run's token is kept: the store every bot process shares. */
  state: KeyValueStore;
  erasure: LearnerErasure;
  audit: AuditLog;
  /** `RETENTION_DAYS`; absent: records are kept for ever, and the timer does nothing. */
  retentionDays?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface RetentionOutcome {
  /** Records that ended before this ISO instant were deleted. */
  cutoff: string;
  counts: ErasureCounts;
  entry: AuditEntry;
}

/**
 * The instant before which a record's end puts it past the period; a RangeError for a period that is
 * not a whole number of days from 1 to 36,500.
 */
export function retentionCutoff(retentionDays: number, now: Date): string {
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS)
    throw new RangeError(`the retention period must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, not ${retentionDays}`);
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly parts: RetentionParts) {
    this.now = parts.now ?? (() => new Date());
  }

  /** How many records are past the period now (for `servicesim retention --dry-run`). */
  async countExpired({ retentionDays, now }: { retentionDays: number; now: Date }): Promise<{ cutoff: string; records: number }> {
    const cutoff = retentionCutoff(retentionDays, now);
    return { cutoff, records: (await this.parts.evidence.list({ endedBefore: cutoff, limit: 1 })).total };
  }

  /**
   * Deletes every record that ended more than `retentionDays` before `now`, with everything kept
   * about it, and audits the run as one entry (by `who`, `system` unless said). Safe to run again,
   * and beside another run.
   */
  async purgeExpired({
    retentionDays,
    now,
    who = 'system',
  }: {
    retentionDays: number;
    now: Date;
    who?: string;
  }): Promise<RetentionOutcome> {
    const cutoff = retentionCutoff(retentionDays, now);
    const total = emptyCounts();
    const tried = new Set<string>();
    for (;;) {
      // Always the first page: the records of the page before are gone from the listing.
      const page = await this.parts.evidence.list({ endedBefore: cutoff, limit: PAGE });
      const ids = page.records.map((r) => r.id).filter((id) => !tried.has(id));
      // None new: a record that would not go (another process saving it again at that moment) is not tried for ever.
      if (ids.length === 0) break;
      for (const id of ids) tried.add(id);
      addCounts(total, (await this.parts.erasure.eraseRecords(ids, who, 'retention', { audit: false })).counts);
    }
    const entry = await this.parts.audit.record({
      who,
      action: 'retention',
      subject: 'all',
      detail: `ended before ${cutoff} (${retentionDays} days): ${describeCounts(total)}`,
    });
    return { cutoff, counts: total, entry };
  }

  /**
   * Runs the retention once per `intervalMs` (a day unless said) across every process sharing the
   * store, looking hourly (or every interval, if shorter) whether a run is due. Does nothing without
   * a retention period. A failed run is logged (by the error's name and message) and tried at the next interval.
   */
  start(intervalMs = DAY_MS): void {
    const { retentionDays } = this.parts;
    if (retentionDays === undefined || this.timer) return;
    retentionCutoff(retentionDays, this.now());
    let running = false;
    const look = () => {
      if (running) return;
      running = true;
      this.runIfDue(retentionDays, intervalMs)
        .catch((error: unknown) =>
          this.parts.logger?.warn(
            { err: { name: (error as Error).name, message: (error as Error).message } },
            'retention not run; it will be tried again',
          ),
        )
        .finally(() => {
          running = false;
        });
    };
    this.timer = setInterval(look, Math.min(intervalMs, LOOK_EVERY_MS));
    this.timer.unref();
    // The first look at once: a server restarted daily would otherwise never get to its first run.
    setImmediate(look);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async runIfDue(retentionDays: number, intervalMs: number): Promise<void> {
    const at = this.now();
    const token = (
      await this.parts.state.write([{ key: RUN_TOKEN_KEY, value: { at: at.toISOString() }, create: true, ttlMs: intervalMs }])
    )[RUN_TOKEN_KEY];
    if (!token?.written) {
      this.parts.logger?.debug('retention not run: it has been run in this interval already, here or by another process');
      return;
    }
    const { counts } = await this.purgeExpired({ retentionDays, now: at });
    this.parts.logger?.info({ records: counts.records }, 'retention run');
  }
}
