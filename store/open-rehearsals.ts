/**
 * The rehearsals under way, whichever conversation holds them: so a learner who comes back in a new
 * conversation (the local page's "New conversation", another Teams chat) can take theirs up again,
 * and a rehearsal left without `end` can be found, scored and kept as abandoned before its state
 * expires (dialogs/abandoned-rehearsals.ts).
 *
 * @remarks
 * The key-value store cannot list keys, so the index is 16 compare-and-set documents, by rehearsal
 * (rehearsals starting at once in several processes rarely touch the same one). An entry is added
 * before the rehearsal's state is first saved and removed once its evidence is, so every rehearsal
 * whose state exists has an entry; an entry whose rehearsal is gone (ended in a turn that could not
 * remove it, or never saved) is cleared by the next pass that finds it so. A rehearsal's turns write
 * nothing here: an idle rehearsal is told by the time its state keeps (`lastTurnAt`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';

const PARTS = Array.from({ length: 16 }, (_, i) => `open-rehearsals/${i}`);
const partOf = (rehearsalId: string) => PARTS[createHash('sha256').update(rehearsalId).digest()[0]! % PARTS.length]!;

export const OpenRehearsalSchema = z.object({
  rehearsalId: z.string(),
  learnerId: z.string(),
  scenarioId: z.string(),
  title: z.string(),
  startedAt: z.string(),
  /** The conversation holding it: `<channel>/<conversation id>`, the key of its turns' lease. */
  conversation: z.string(),
  /** Where that conversation's bot state is kept. */
  stateKey: z.string(),
  /** The channel's conversation reference, for the tutor's review of a rehearsal filed without a turn. */
  reference: z.unknown(),
});

export type OpenRehearsal = z.infer<typeof OpenRehearsalSchema>;

const PartSchema = z.object({ rehearsals: z.array(z.unknown()) });

export class OpenRehearsals {
  /** As a holder of learners' data, for their erasure (store/learner-erasure.ts). */
  readonly name = 'unfinished rehearsals';

  constructor(private readonly store: KeyValueStore) {}

  /** Adds the rehearsal, or (taken up in another conversation) says where it is held now. */
  async hold(entry: OpenRehearsal): Promise<void> {
    await updateDocument<{ rehearsals: unknown[] }>(this.store, partOf(entry.rehearsalId), (part) => ({
      rehearsals: [...rawEntriesOf(part).filter((e) => idOf(e) !== entry.rehearsalId), entry],
    }));
  }

  /**
   * Takes the rehearsal out (it ended, or is gone); removing one that is not there is no error. With
   * `heldAt`, only if it is still listed as held there: an entry found stale must not take with it the
   * one a conversation that took the rehearsal up has written meanwhile.
   */
  async remove(rehearsalId: string, heldAt?: string): Promise<void> {
    const isIt = (e: unknown) => idOf(e) === rehearsalId && (heldAt === undefined || stateKeyOf(e) === heldAt);
    await updateDocument<{ rehearsals: unknown[] }>(this.store, partOf(rehearsalId), (part) =>
      rawEntriesOf(part).some(isIt) ? { rehearsals: rawEntriesOf(part).filter((e) => !isIt(e)) } : undefined,
    );
  }

  /** Every rehearsal under way; an entry that cannot be read is left out (and left alone). */
  async all(): Promise<OpenRehearsal[]> {
    const parts = await this.store.read(PARTS);
    return Object.values(parts).flatMap((item) => entriesOf(item.value));
  }

  /** The learner's rehearsals under way, latest first. */
  async ofLearner(learnerId: string): Promise<OpenRehearsal[]> {
    return (await this.all()).filter((e) => e.learnerId === learnerId).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** Forgets the learner's entries (their erasure; the rehearsals' state and logs go with their conversations). */
  async eraseLearner(learnerId: string): Promise<number> {
    let removed = 0;
    for (const entry of await this.ofLearner(learnerId)) {
      await this.remove(entry.rehearsalId);
      removed++;
    }
    return removed;
  }
}

/** A part's entries as stored, readable or not: a change to one entry keeps the others as they are. */
function rawEntriesOf(part: unknown): unknown[] {
  const parsed = PartSchema.safeParse(part);
  return parsed.success ? parsed.data.rehearsals : [];
}

const idOf = (entry: unknown) => (entry as { rehearsalId?: unknown } | null)?.rehearsalId;
const stateKeyOf = (entry: unknown) => (entry as { stateKey?: unknown } | null)?.stateKey;

/** A part's readable entries; one written by a later version, in a shape this one cannot read, is skipped. */
function entriesOf(part: unknown): OpenRehearsal[] {
  return rawEntriesOf(part).flatMap((e) => {
    const entry = OpenRehearsalSchema.safeParse(e);
    return entry.success ? [entry.data] : [];
  });
}
