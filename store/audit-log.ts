/**
 * Who erased or exported whose data, and when: an append-only log in the KeyValueStore, so every
 * bot process and `servicesim` command sharing the store writes to one log, and an admin can show
 * that a learner's erasure or copy was carried out.
 *
 * @remarks
 * One compare-and-set document per UTC day (`audit/<yyyy-mm-dd>`), so no document grows without
 * bound and two writers never lose each other's entry; `audit/days` lists the days that have
 * entries, so a listing reads only those, never scanning keys. Entries name people by id (a tutor's
 * email, `learner:<id>`, `cli:<account>`, `system`) and carry counts, never a learner's words.
 *
 * When a learner is erased, the entries that name them are rewritten to name a pseudonym
 * (`learnerReference`) instead: the log still shows that their data was copied and erased, and an
 * admin who knows the learner's id can find those entries, but the store no longer holds the id.
 * That one rewrite is the only change ever made to an entry.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';

export const AUDIT_ACTIONS = ['export', 'erase', 'retention', 'data-copy'] as const;

const AuditEntrySchema = z.object({
  /** When it happened, an ISO instant (UTC). */
  at: z.iso.datetime(),
  /** A tutor's email, `learner:<id>`, `cli:<account>` or `system`. */
  who: z.string().min(1).max(500),
  action: z.enum(AUDIT_ACTIONS),
  /** Whose or what data: a learner id (or its `learnerReference` once erased), a cohort id, `all`. */
  subject: z.string().min(1).max(500),
  /** Counts, a file format: never a learner's words. */
  detail: z.string().max(2000).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

const DayLogSchema = z.object({ entries: z.array(z.unknown()) });
const DaysSchema = z.object({ days: z.array(z.string()) });
type DayLog = z.infer<typeof DayLogSchema>;
type Days = z.infer<typeof DaysSchema>;

const DAYS_KEY = 'audit/days';
const dayKey = (day: string) => `audit/${day}`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * How the audit log names a learner after they are erased: `learner#` and the first 32 hex digits
 * of the SHA-256 of their id. The same id always gives the same reference, so an admin can check
 * whether a learner was erased (`servicesim erase` prints it) without the log keeping the id.
 */
export const learnerReference = (learnerId: string) => `learner#${createHash('sha256').update(learnerId).digest('hex').slice(0, 32)}`;

export interface AuditLogParts {
  store: KeyValueStore;
  /** Each entry is also logged here (at info), for an operator's log collection. */
  logger?: Logger;
  now?: () => Date;
  /** Told of an entry stored that no longer reads (its id only, never its content). */
  skipped?: (item: string, problem: string) => void;
}

export class AuditLog {
  private readonly now: () => Date;

  constructor(private readonly parts: AuditLogParts) {
    this.now = parts.now ?? (() => new Date());
  }

  /**
   * Appends an entry, stamped now, to today's log, and returns it. An entry that does not fit
   * (an action that is not one, an empty `who`) is refused with a ZodError before anything is written.
   */
  async record(entry: Omit<AuditEntry, 'at'>): Promise<AuditEntry> {
    const stamped = AuditEntrySchema.parse({ ...entry, at: this.now().toISOString() });
    const day = stamped.at.slice(0, 10);
    // The day is listed before its entry is written: an entry is never in a day no listing reads.
    await updateDocument<Days>(this.parts.store, DAYS_KEY, (current) =>
      current?.days.includes(day) ? undefined : { days: [...(current?.days ?? []), day].sort() },
    );
    await updateDocument<DayLog>(this.parts.store, dayKey(day), (current) => ({ entries: [...(current?.entries ?? []), stamped] }));
    this.parts.logger?.info(
      {
        audit: {
          who: stamped.who,
          action: stamped.action,
          subject: stamped.subject,
          ...(stamped.detail ? { detail: stamped.detail } : {}),
        },
      },
      `audit: ${stamped.action}`,
    );
    return stamped;
  }

  /**
   * The entries of the days from `from` to `to` (`yyyy-mm-dd`, UTC, both included; either absent:
   * no bound), newest first. A RangeError for a day that is not written so.
   */
  async list({ from, to }: { from?: string; to?: string } = {}): Promise<AuditEntry[]> {
    for (const [name, day] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (day !== undefined && (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))))
        throw new RangeError(`${name} must be a day written yyyy-mm-dd, such as 2026-11-23, not "${day}"`);
    const days = (await this.days()).filter((day) => (from === undefined || day >= from) && (to === undefined || day <= to));
    if (days.length === 0) return [];
    const stored = await this.parts.store.read(days.map(dayKey));
    // In the order written, reversed, then by time: entries of the same millisecond stay newest first.
    const entries = days.flatMap((day) => this.entriesOf(day, stored[dayKey(day)]?.value)).reverse();
    return entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  }

  /**
   * Rewrites every entry naming the learner (as `who` or `subject`) to name their `learnerReference`
   * instead; returns how many entries changed. For erasure: safe to run again.
   */
  async forgetLearner(learnerId: string): Promise<number> {
    const reference = learnerReference(learnerId);
    const names = new Set([learnerId, `learner:${learnerId}`]);
    const rename = (value: unknown) => (typeof value === 'string' && names.has(value) ? reference : value);
    let changed = 0;
    for (const day of await this.days()) {
      let changedToday = 0;
      await updateDocument<DayLog>(this.parts.store, dayKey(day), (current) => {
        if (current === undefined) return undefined;
        changedToday = 0;
        const entries = current.entries.map((raw) => {
          const entry = raw as Record<string, unknown> | null;
          if (entry === null || typeof entry !== 'object' || (!names.has(entry.who as string) && !names.has(entry.subject as string)))
            return raw;
          changedToday += 1;
          return { ...entry, who: rename(entry.who), subject: rename(entry.subject) };
        });
        return changedToday > 0 ? { entries } : undefined;
      });
      changed += changedToday;
    }
    return changed;
  }

  private async days(): Promise<string[]> {
    const parsed = DaysSchema.safeParse((await this.parts.store.read([DAYS_KEY]))[DAYS_KEY]?.value ?? { days: [] });
    if (!parsed.success) throw new Error(`the audit log's list of days (${DAYS_KEY}) does not read: ${parsed.error.issues[0]?.message}`);
    return parsed.data.days.filter((day) => DAY.test(day));
  }

  /** A day's entries that read; one that does not is named (by day and place) and left where it is. */
  private entriesOf(day: string, value: unknown): AuditEntry[] {
    const log = DayLogSchema.safeParse(value ?? { entries: [] });
    if (!log.success) {
      this.parts.skipped?.(dayKey(day), 'not an audit log this version reads');
      return [];
    }
    return log.data.entries.flatMap((raw, i) => {
      const entry = AuditEntrySchema.safeParse(raw);
      if (entry.success) return [entry.data];
      this.parts.skipped?.(`${dayKey(day)}#${i}`, 'not an audit entry this version reads');
      return [];
    });
  }
}
