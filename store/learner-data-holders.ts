/**
 * Everything besides the evidence, its reviews and the bot state that keeps data about a learner:
 * their cohorts (and assignments' reminder marks), the conversation they last used, the link to
 * the copy of their data they asked for, and their rehearsals' places in the list of those under way. (Statements queued for the learning record store go with
 * their records, in store/learner-erasure.ts.) One list, so the server's erasure and `servicesim
 * erase` never miss one another's holders.
 */
import type { HeldLearnerData } from '../engine/learner-data-copy.ts';
import { CohortStore } from './cohort-store.ts';
import { ConversationReferences } from './conversation-references.ts';
import { DataCopyLinks } from './data-copy-links.ts';
import { OpenRehearsals } from './open-rehearsals.ts';
import type { KeyValueStore } from './key-value-store.ts';
import type { LearnerDataHolder } from './learner-erasure.ts';

/** The holders to erase a learner from. */
export function learnerDataHolders(state: KeyValueStore): LearnerDataHolder[] {
  return [new CohortStore(state), new ConversationReferences(state), new DataCopyLinks(state), new OpenRehearsals(state)];
}

/** What is held about learners besides their rehearsals, in their words (for `privacy`). */
export const HELD_ABOUT_LEARNERS: readonly HeldLearnerData[] = [
  {
    what: 'The groups (cohorts) you have joined, the name you gave for your evidence, and what their tutors assigned you',
    keptFor: 'until your data is erased',
  },
];

/** The same, with the learner's own data, for their copy (`my data`). */
export async function heldAbout(state: KeyValueStore, learnerId: string): Promise<HeldLearnerData[]> {
  const cohorts = await new CohortStore(state).cohortsOf(learnerId);
  return [
    {
      ...HELD_ABOUT_LEARNERS[0]!,
      data: cohorts.map((c) => ({
        cohort: c.name,
        unit: c.unit ?? null,
        joinedAt: c.members.find((m) => m.learnerId === learnerId)?.joinedAt ?? null,
        nameGiven: c.members.find((m) => m.learnerId === learnerId)?.name ?? null,
        assignments: c.assignments.map((a) => ({ scenario: a.scenarioId, due: a.due, mode: a.mode })),
      })),
    },
  ];
}
