/**
 * Whether a learner has done an assigned scenario, and when it is due, in the calendar the learners
 * and tutors live by (UK time): one rule for the learner's picker, the tutor's cohort page and the
 * reminders, so the three never disagree about what is done or due.
 *
 * @remarks
 * An assignment is done by a rehearsal of its scenario that ended after it was set; one set in
 * assessment mode only by an assessment (a practice run is preparation, not the assessment), one
 * set in practice mode by either.
 */
import type { EvidenceRecord } from './evidence-record.ts';

/** What an assignment is, as far as its progress goes. */
export interface AssignedScenario {
  scenarioId: string;
  /** YYYY-MM-DD. */
  due: string;
  mode: 'practice' | 'assessment';
  /** When it was set, an ISO instant. */
  setAt: string;
}

/** The time zone due dates are read in: the qualifications, their learners and tutors are in the UK. */
const DUE_DATE_TIME_ZONE = 'Europe/London';

/** The learner's rehearsals that do this assignment, newest first (records listed newest first stay so). */
export function attemptsAt(assignment: AssignedScenario, learnerId: string, records: readonly EvidenceRecord[]): EvidenceRecord[] {
  const setAt = Date.parse(assignment.setAt);
  return records.filter(
    (r) =>
      r.learner.id === learnerId &&
      r.scenario.id === assignment.scenarioId &&
      Date.parse(r.endedAt) >= setAt &&
      (assignment.mode === 'practice' || r.mode === 'assessment'),
  );
}

/**
 * Whether the learner has done the assignment: a rehearsal of it finished. One left unfinished and
 * kept as abandoned is an attempt (the tutor sees it) but not the assignment done: the learner is
 * still shown it, and reminded of it.
 */
export function hasDone(assignment: AssignedScenario, learnerId: string, records: readonly EvidenceRecord[]): boolean {
  return attemptsAt(assignment, learnerId, records).some((r) => r.endReason !== 'abandoned');
}

/** The calendar day (YYYY-MM-DD) an instant falls on in the UK. */
export function ukDayOf(instant: Date): string {
  // en-CA formats a date as YYYY-MM-DD.
  return instant.toLocaleDateString('en-CA', { timeZone: DUE_DATE_TIME_ZONE });
}

/** The day before a YYYY-MM-DD day: when its reminder goes out. */
export function dayBefore(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

/** A due day as learners read it: "Tue 1 Dec 2026". */
export function dueDayText(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  const part = (options: Intl.DateTimeFormatOptions) => date.toLocaleDateString('en-GB', { ...options, timeZone: 'UTC' });
  return `${part({ weekday: 'short' })} ${part({ day: 'numeric', month: 'short', year: 'numeric' })}`;
}

/** Whether the day is past the due day (the learner may still do it; it is late). */
export const isOverdue = (assignment: Pick<AssignedScenario, 'due'>, today: string) => today > assignment.due;
