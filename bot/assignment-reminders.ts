/**
 * Reminds each learner, with a proactive message the day before an assignment is due, if they have
 * not done it yet: into the conversation they last used (Teams or the local page).
 *
 * @remarks
 * Every bot process runs the same pass; a lease per reminder (a create-only key that expires) lets
 * one of them send it, and a "sent" marker, written once it is delivered, keeps it from being sent
 * again. A process that dies holding a lease frees it when the lease runs out, and a channel that
 * is down is tried again on the next pass, until the due day is over. A learner with no kept
 * conversation (joined before conversations were kept) cannot be messaged: logged, not retried.
 */
import type { Logger } from 'pino';
import { dayBefore, dueDayText, hasDone, isOverdue, ukDayOf } from '../engine/assignment-progress.ts';
import type { Library } from '../engine/rubric-library.ts';
import { reminderKeysOf, type Assignment, type Cohort, type CohortStore } from '../store/cohort-store.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { PeriodicPass } from '../store/periodic-pass.ts';
import { markdownLiteral } from '../dialogs/markdown-literal.ts';
import type { DeliverMessage } from './review-notices.ts';

/** Well beyond one delivery; a process that dies holding it frees the reminder this soon after. */
const LEASE_MS = 10 * 60_000;
/** The sent marker outlives the assignment's due day, then goes. */
const SENT_MARKER_MS = 30 * 24 * 60 * 60_000;

export interface AssignmentReminderParts {
  store: KeyValueStore;
  cohorts: CohortStore;
  evidence: EvidenceStore;
  references: ConversationReferences;
  library: Library;
  deliver: DeliverMessage;
  logger: Logger;
  now?: () => Date;
}

export class AssignmentReminders {
  private readonly periodic: PeriodicPass;
  private readonly now: () => Date;

  constructor(private readonly parts: AssignmentReminderParts) {
    this.periodic = new PeriodicPass(() => this.remindDue(), parts.logger, 'assignment reminders not sent');
    this.now = parts.now ?? (() => new Date());
  }

  /** Sends every reminder due now (the day before, or on, the due day); resolves to how many were delivered. */
  async remindDue(): Promise<number> {
    const today = ukDayOf(this.now());
    let delivered = 0;
    for (const cohort of await this.parts.cohorts.listFor({ email: '', role: 'admin' }))
      for (const assignment of cohort.assignments) {
        // The day before; and on the day itself, for a reminder the day before could not deliver.
        if (today < dayBefore(assignment.due) || isOverdue(assignment, today)) continue;
        for (const member of cohort.members) if (await this.remind(cohort, assignment, member.learnerId, today)) delivered++;
      }
    return delivered;
  }

  /** Runs a pass every `intervalMs` until stopped. */
  start(intervalMs = 15 * 60_000): void {
    this.periodic.start(intervalMs);
  }

  stop(): void {
    this.periodic.stop();
  }

  private async remind(cohort: Cohort, assignment: Assignment, learnerId: string, today: string): Promise<boolean> {
    const { sent, lease } = reminderKeysOf(assignment.id, learnerId);
    // Sent for this due date: an assignment whose date a tutor moved is reminded of again, for the new date.
    const sentForThisDate = async () =>
      ((await this.parts.store.read([sent]))[sent]?.value as { due?: unknown } | undefined)?.due === assignment.due;
    if (await sentForThisDate()) return false;
    if (hasDone(assignment, learnerId, await this.parts.evidence.listFor(learnerId))) return false;
    const taken = (await this.parts.store.write([{ key: lease, value: { at: this.now().toISOString() }, create: true, ttlMs: LEASE_MS }]))[
      lease
    ];
    if (!taken?.written) return false;
    let delivered = false;
    try {
      // Read again under the lease: another process may have sent it between the first read and the lease.
      if (await sentForThisDate()) return false;
      const reference = await this.parts.references.ofLearner(learnerId);
      if (reference === undefined) {
        this.parts.logger.warn(
          { cohort: cohort.id, assignment: assignment.id },
          'assignment reminder not sent: the learner has no kept conversation',
        );
        await this.markSent(sent, assignment.due);
        return false;
      }
      const scenario = this.parts.library.scenarios.find((s) => s.id === assignment.scenarioId);
      const title = scenario?.title ?? assignment.scenarioId;
      const when = today === assignment.due ? 'today' : 'tomorrow';
      const text = `Reminder from **${markdownLiteral(cohort.name)}**: **${title}** (${assignment.mode}) is due ${when}, ${dueDayText(assignment.due)}. Type **start ${assignment.scenarioId}** to begin, or **scenarios** to see everything assigned to you.`;
      try {
        await this.parts.deliver(reference, text, `reminder-${assignment.id}-${assignment.due}-${learnerId}`);
      } catch (error) {
        this.parts.logger.warn(
          { cohort: cohort.id, assignment: assignment.id, err: { name: (error as Error).name, message: (error as Error).message } },
          'assignment reminder not delivered; will try again',
        );
        return false;
      }
      delivered = true;
      try {
        await this.markSent(sent, assignment.due);
        // Marked: the mark keeps it from going again, and the lease can go (a moved due date needs it free).
        await this.parts.store.deleteIfUnchanged(lease, taken.eTag);
      } catch (error) {
        this.parts.logger.error(
          { assignment: assignment.id, err: { name: (error as Error).name, message: (error as Error).message } },
          'assignment reminder delivered, but not marked so; it will not be sent again while its lease lasts',
        );
      }
      return true;
    } finally {
      if (!delivered) await this.parts.store.deleteIfUnchanged(lease, taken.eTag).catch(() => undefined);
    }
  }

  private async markSent(key: string, due: string): Promise<void> {
    await this.parts.store.write([{ key, value: { at: this.now().toISOString(), due }, ttlMs: SENT_MARKER_MS }]);
  }
}
