/**
 * Where each rehearsal was held, so a tutor's feedback can be delivered into that conversation
 * later (Teams or the local page): the channel's conversation reference, kept as the channel gave
 * it, per evidence record. Kept without expiry, like the evidence: a review may come weeks later.
 * And each learner's conversations, for messages about no one rehearsal (an assignment's reminder
 * goes to the one they last joined a cohort or started a rehearsal in) and so that erasing the
 * learner finds every conversation they used, even one they left with a rehearsal unfinished.
 */
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';

/** The learner's conversations, latest first; a learner using more than this many keeps the latest. */
const MAX_LEARNER_CONVERSATIONS = 50;

interface LearnerConversations {
  references: unknown[];
}

const conversationIdOf = (reference: unknown) => (reference as { conversation?: { id?: unknown } } | null)?.conversation?.id;

export const conversationReferenceKeyOf = (recordId: string) => `conversation-reference/{${recordId}}`;
const keyOf = conversationReferenceKeyOf;
const learnerKeyOf = (learnerId: string) => `learner-conversation/{${learnerId}}`;

export class ConversationReferences {
  /** As a holder of learners' data, for their erasure (store/learner-erasure.ts). */
  readonly name = 'latest conversation';

  constructor(private readonly store: KeyValueStore) {}

  async remember(recordId: string, reference: object): Promise<void> {
    await this.store.write([{ key: keyOf(recordId), value: reference }]);
  }

  /** The reference as stored (the channel's JSON), or undefined for a rehearsal held before references were kept. */
  async of(recordId: string): Promise<unknown> {
    return (await this.store.read([keyOf(recordId)]))[keyOf(recordId)]?.value;
  }

  /** The conversation the learner is using now, for later messages to them: first in their list. */
  async rememberLearner(learnerId: string, reference: object): Promise<void> {
    const id = conversationIdOf(reference);
    await updateDocument<LearnerConversations>(this.store, learnerKeyOf(learnerId), (current) => {
      const earlier = (current?.references ?? []).filter((r) => conversationIdOf(r) !== id);
      return { references: [reference, ...earlier].slice(0, MAX_LEARNER_CONVERSATIONS) };
    });
  }

  /** The learner's latest conversation, or undefined if none was kept. */
  async ofLearner(learnerId: string): Promise<unknown> {
    return (await this.allOfLearner(learnerId))[0];
  }

  /** Every conversation of the learner's that was kept, latest first. */
  async allOfLearner(learnerId: string): Promise<unknown[]> {
    const value = (await this.store.read([learnerKeyOf(learnerId)]))[learnerKeyOf(learnerId)]?.value as LearnerConversations | undefined;
    return Array.isArray(value?.references) ? value.references : [];
  }

  /** Forgets the learner's conversations (their erasure; each rehearsal's reference goes with its record). */
  async eraseLearner(learnerId: string): Promise<number> {
    const had = (await this.ofLearner(learnerId)) !== undefined;
    await this.store.delete([learnerKeyOf(learnerId)]);
    return had ? 1 : 0;
  }
}
