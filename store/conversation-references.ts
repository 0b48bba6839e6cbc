/**
 * Where each rehearsal was held, so a tutor's feedback can be delivered into that conversation
 * later (Teams or the local page): the channel's conversation reference, kept as the channel gave
 * it, per evidence record. Kept without expiry, like the evidence: a review may come weeks later.
 * And each learner's latest conversation, for messages about no one rehearsal (an assignment's
 * reminder): the conversation they last joined a cohort or started a rehearsal in.
 */
import type { KeyValueStore } from './key-value-store.ts';

const keyOf = (recordId: string) => `conversation-reference/{${recordId}}`;
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

  /** The conversation the learner is using now, for later messages to them. */
  async rememberLearner(learnerId: string, reference: object): Promise<void> {
    await this.store.write([{ key: learnerKeyOf(learnerId), value: reference }]);
  }

  /** The learner's latest conversation, or undefined if none was kept. */
  async ofLearner(learnerId: string): Promise<unknown> {
    return (await this.store.read([learnerKeyOf(learnerId)]))[learnerKeyOf(learnerId)]?.value;
  }

  /** Forgets the learner's latest conversation (their erasure; each rehearsal's reference goes with its record). */
  async eraseLearner(learnerId: string): Promise<number> {
    const had = (await this.ofLearner(learnerId)) !== undefined;
    await this.store.delete([learnerKeyOf(learnerId)]);
    return had ? 1 : 0;
  }
}
