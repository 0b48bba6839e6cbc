/**
 * Cohorts: a tutor's group of learners, joined with a code the learner types into the bot, and the
 * scenarios assigned to it with a due date and a mode. Kept in the KeyValueStore as small
 * compare-and-set documents (one per cohort, an index of cohorts, the join codes, and each learner's
 * cohorts), so memory, SQLite, Redis and Redis Cluster all keep them, and two tutors or two bot
 * processes changing one cohort at once never lose each other's change.
 *
 * @remarks
 * A tutor sees the learners of the cohorts they teach (`learnersOf`); an admin sees everyone.
 * A join code is six characters from an alphabet without look-alikes (no 0/O, 1/I/L), read without
 * regard to case, spaces or dashes, so a code read aloud in a classroom is typed right.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';

const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const JOIN_CODE_LENGTH = 6;
/** How many fresh codes are tried before giving up: with 887 million codes, a second try is already rare. */
const JOIN_CODE_TRIES = 20;

export const ASSIGNMENT_MODES = ['practice', 'assessment'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

const MemberSchema = z.object({
  learnerId: z.string().min(1),
  /** The name the learner gave (Teams' display name, or the one typed in the local page). */
  name: z.string().optional(),
  joinedAt: z.string(),
});

const AssignmentSchema = z.object({
  id: z.string().min(1),
  scenarioId: z.string().min(1),
  /** A calendar day, YYYY-MM-DD: the end of that day (UK time) is the deadline. */
  due: z.iso.date(),
  mode: z.enum(ASSIGNMENT_MODES),
  setAt: z.string(),
  /** The tutor who set it (their email). */
  setBy: z.string(),
});

const CohortSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** The qualification unit the cohort works towards (rubrics/units.yaml), if any. */
  unit: z.string().optional(),
  /** The tutors who teach it (emails, normalised): the first created it. */
  tutors: z.array(z.string()).min(1),
  joinCode: z.string(),
  createdAt: z.string(),
  members: z.array(MemberSchema).default([]),
  assignments: z.array(AssignmentSchema).default([]),
});

export type Cohort = z.infer<typeof CohortSchema>;
export type CohortMember = z.infer<typeof MemberSchema>;
export type Assignment = z.infer<typeof AssignmentSchema>;

/** Every cohort and who teaches it: read to list a tutor's cohorts, or to find a tutor's learners, in one read. */
const IndexSchema = z.object({ cohorts: z.array(z.object({ id: z.string(), tutors: z.array(z.string()) })) });
type CohortIndex = z.infer<typeof IndexSchema>;

const LearnerCohortsSchema = z.object({ cohortIds: z.array(z.string()) });
type LearnerCohorts = z.infer<typeof LearnerCohortsSchema>;

const INDEX_KEY = 'cohorts/index';
const cohortKey = (id: string) => `cohort/{${id}}`;
const codeKey = (code: string) => `cohort-join-code/${code}`;
const learnerKey = (learnerId: string) => `learner-cohorts/{${learnerId}}`;
const failedJoinsKey = (learnerId: string) => `cohort-join-failures/{${learnerId}}`;

/**
 * Wrong join codes a learner may type in an hour: a code is one of 887 million, so guessing one
 * takes far more, and a learner mistyping theirs is not held up. Counted in the shared store, so
 * every bot process counts the same tries.
 */
export const JOIN_ATTEMPTS_PER_HOUR = 10;
const HOUR_MS = 60 * 60_000;

/**
 * The keys that mark an assignment's reminder to a learner as being sent (a lease) and as sent
 * (bot/assignment-reminders.ts): kept here, with the assignments, so erasing a learner finds them.
 */
export const reminderKeysOf = (assignmentId: string, learnerId: string) => ({
  lease: `assignment-reminder-lease/{${learnerId}}/${assignmentId}`,
  sent: `assignment-reminder-sent/{${learnerId}}/${assignmentId}`,
});

/** A request the store cannot carry out, in words for the person who made it. */
export class CohortError extends Error {}

/** A join code as typed ("k7q-m4x ") in its stored form ("K7QM4X"), or undefined if it cannot be one. */
export function readJoinCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  return code.length === JOIN_CODE_LENGTH && [...code].every((c) => JOIN_CODE_ALPHABET.includes(c)) ? code : undefined;
}

/** What the tutor gives to create a cohort. */
export interface NewCohort {
  name: string;
  unit?: string;
  /** The creating tutor's email. */
  tutor: string;
}

/** What the tutor gives to assign a scenario. */
export interface NewAssignment {
  scenarioId: string;
  due: string;
  mode: AssignmentMode;
  setBy: string;
}

export class CohortStore {
  /** As a holder of learners' data, for their erasure (store/learner-erasure.ts). */
  readonly name = 'cohort memberships';

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new cohort with a join code no other cohort has. */
  async create({ name, unit, tutor }: NewCohort): Promise<Cohort> {
    const id = randomBytes(8).toString('hex');
    const joinCode = await this.claimJoinCode(id);
    const cohort = CohortSchema.parse({
      id,
      name: name.trim(),
      ...(unit ? { unit } : {}),
      tutors: [tutor.trim().toLowerCase()],
      joinCode,
      createdAt: this.now().toISOString(),
      members: [],
      assignments: [],
    });
    // The cohort is written before the index names it, so a listing never finds a cohort that is not there.
    await updateDocument<Cohort>(this.store, cohortKey(id), () => cohort);
    await updateDocument<CohortIndex>(this.store, INDEX_KEY, (index) => ({
      cohorts: [...(readIndex(index).cohorts ?? []), { id, tutors: cohort.tutors }],
    }));
    return cohort;
  }

  async get(id: string): Promise<Cohort | undefined> {
    return readCohort((await this.store.read([cohortKey(id)]))[cohortKey(id)]?.value);
  }

  /** The cohorts a tutor teaches (every cohort for an admin), oldest first. */
  async listFor(tutor: { email: string; role: string }): Promise<Cohort[]> {
    const email = tutor.email.toLowerCase();
    const ids = (await this.index()).cohorts.filter((c) => tutor.role === 'admin' || c.tutors.includes(email)).map((c) => c.id);
    return this.many(ids);
  }

  /** Every learner in the cohorts this tutor teaches. */
  async learnersOf(tutorEmail: string): Promise<string[]> {
    const email = tutorEmail.toLowerCase();
    const cohorts = await this.many((await this.index()).cohorts.filter((c) => c.tutors.includes(email)).map((c) => c.id));
    return [...new Set(cohorts.flatMap((c) => c.members.map((m) => m.learnerId)))];
  }

  /** The cohorts a learner is in. */
  async cohortsOf(learnerId: string): Promise<Cohort[]> {
    const item = (await this.store.read([learnerKey(learnerId)]))[learnerKey(learnerId)];
    const ids = LearnerCohortsSchema.safeParse(item?.value).data?.cohortIds ?? [];
    return this.many(ids);
  }

  /**
   * The id of the cohort whose code this is; 'unknown' for a code no cohort has (counted as a wrong
   * try), 'too many tries' once the learner has typed `JOIN_ATTEMPTS_PER_HOUR` wrong codes in the
   * past hour. For checking a code before asking the learner anything more.
   */
  async cohortOfCode(typedCode: string, learnerId: string): Promise<{ id: string; name: string } | 'unknown' | 'too many tries'> {
    const failed = (await this.store.read([failedJoinsKey(learnerId)]))[failedJoinsKey(learnerId)]?.value as { count?: number } | undefined;
    if ((failed?.count ?? 0) >= JOIN_ATTEMPTS_PER_HOUR) return 'too many tries';
    const code = readJoinCode(typedCode);
    const filed = code ? ((await this.store.read([codeKey(code)]))[codeKey(code)]?.value as { cohortId?: string } | undefined) : undefined;
    const cohort = filed?.cohortId ? await this.get(filed.cohortId) : undefined;
    if (!cohort) {
      // Each wrong try keeps the count for another hour: a learner who keeps guessing stays stopped.
      await updateDocument<{ count: number }>(this.store, failedJoinsKey(learnerId), (current) => ({ count: (current?.count ?? 0) + 1 }), {
        ttlMs: HOUR_MS,
      });
      return 'unknown';
    }
    return { id: cohort.id, name: cohort.name };
  }

  /**
   * Puts the learner in the cohort whose code this is (or updates their name if they are in it);
   * 'unknown' or 'too many tries' as `cohortOfCode` says.
   */
  async join(
    typedCode: string,
    learner: { id: string; name?: string },
  ): Promise<{ cohort: Cohort; already: boolean } | 'unknown' | 'too many tries'> {
    const found = await this.cohortOfCode(typedCode, learner.id);
    if (typeof found === 'string') return found;
    let already = false;
    const cohort = await this.change(found.id, (c) => {
      const member = c.members.find((m) => m.learnerId === learner.id);
      already = member !== undefined;
      if (member && (member.name === learner.name || !learner.name)) return undefined;
      if (member) member.name = learner.name;
      else c.members.push({ learnerId: learner.id, ...(learner.name ? { name: learner.name } : {}), joinedAt: this.now().toISOString() });
      return c;
    });
    if (!cohort) return 'unknown';
    await updateDocument<LearnerCohorts>(this.store, learnerKey(learner.id), (current) => {
      const ids = LearnerCohortsSchema.safeParse(current).data?.cohortIds ?? [];
      return ids.includes(cohort.id) ? undefined : { cohortIds: [...ids, cohort.id] };
    });
    return { cohort, already };
  }

  /** The learner's name in every cohort they are in, as they now give it. */
  async rename(learnerId: string, name: string): Promise<void> {
    for (const cohort of await this.cohortsOf(learnerId))
      await this.change(cohort.id, (c) => {
        const member = c.members.find((m) => m.learnerId === learnerId);
        if (!member || member.name === name) return undefined;
        member.name = name;
        return c;
      });
  }

  /**
   * Assigns a scenario to the cohort; assigning one already assigned in that mode moves its due
   * date rather than listing it twice. Undefined when there is no such cohort.
   */
  async assign(cohortId: string, assignment: NewAssignment): Promise<Assignment | undefined> {
    let result: Assignment | undefined;
    const checked = AssignmentSchema.omit({ id: true, setAt: true }).parse(assignment);
    const cohort = await this.change(cohortId, (c) => {
      const existing = c.assignments.find((a) => a.scenarioId === checked.scenarioId && a.mode === checked.mode);
      if (existing) {
        // Only the date moves: `setAt` stays, so rehearsals already done still count as done.
        Object.assign(existing, { due: checked.due, setBy: checked.setBy });
        result = existing;
      } else {
        result = { id: randomBytes(6).toString('hex'), ...checked, setAt: this.now().toISOString() };
        c.assignments.push(result);
      }
      return c;
    });
    return cohort ? result : undefined;
  }

  /** Removes an assignment; false when there was none. */
  async unassign(cohortId: string, assignmentId: string): Promise<boolean> {
    let removed = false;
    await this.change(cohortId, (c) => {
      removed = c.assignments.some((a) => a.id === assignmentId);
      if (!removed) return undefined;
      c.assignments = c.assignments.filter((a) => a.id !== assignmentId);
      return c;
    });
    return removed;
  }

  /**
   * Takes the learner out of every cohort, with their assignments' reminder marks (their erasure):
   * returns how many cohorts they left. Safe to run again.
   */
  async eraseLearner(learnerId: string): Promise<number> {
    let left = 0;
    const assignmentIds: string[] = [];
    // Every cohort, not only those the learner's own list names: a join cut short may have left them in one unlisted.
    for (const { id } of (await this.index()).cohorts)
      await this.change(id, (c) => {
        assignmentIds.push(...c.assignments.map((a) => a.id));
        if (!c.members.some((m) => m.learnerId === learnerId)) return undefined;
        left++;
        c.members = c.members.filter((m) => m.learnerId !== learnerId);
        return c;
      });
    const marks = [...new Set(assignmentIds)].flatMap((a) => Object.values(reminderKeysOf(a, learnerId)));
    await this.store.delete([learnerKey(learnerId), failedJoinsKey(learnerId), ...marks]);
    return left;
  }

  private async claimJoinCode(cohortId: string): Promise<string> {
    for (let attempt = 0; attempt < JOIN_CODE_TRIES; attempt++) {
      const code = Array.from({ length: JOIN_CODE_LENGTH }, () => JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]).join('');
      const outcome = (await this.store.write([{ key: codeKey(code), value: { cohortId }, create: true }]))[codeKey(code)];
      if (outcome?.written) return code;
    }
    throw new CohortError('no free join code could be found; try again');
  }

  private async change(id: string, edit: (cohort: Cohort) => Cohort | undefined): Promise<Cohort | undefined> {
    let found = false;
    const written = await updateDocument<unknown>(this.store, cohortKey(id), (current) => {
      const cohort = readCohort(current);
      found = cohort !== undefined;
      return cohort ? edit(structuredClone(cohort)) : undefined;
    });
    return found ? readCohort(written) : undefined;
  }

  private async index(): Promise<CohortIndex> {
    return readIndex((await this.store.read([INDEX_KEY]))[INDEX_KEY]?.value);
  }

  private async many(ids: readonly string[]): Promise<Cohort[]> {
    if (ids.length === 0) return [];
    const items = await this.store.read(ids.map(cohortKey));
    return ids.flatMap((id) => readCohort(items[cohortKey(id)]?.value) ?? []);
  }
}

/**
 * A stored cohort, or undefined when there is none. One that does not read is refused rather than
 * read as missing: a write over it would lose its members and assignments.
 */
function readCohort(value: unknown): Cohort | undefined {
  if (value === undefined) return undefined;
  const parsed = CohortSchema.safeParse(value);
  if (!parsed.success) throw new Error(`a stored cohort does not read: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function readIndex(value: unknown): CohortIndex {
  if (value === undefined) return { cohorts: [] };
  const parsed = IndexSchema.safeParse(value);
  if (!parsed.success) throw new Error(`the cohort index (${INDEX_KEY}) does not read: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
