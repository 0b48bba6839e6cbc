/**
 * Where each rehearsal was held, so a tutor's feedback can be delivered into that conversation
 * later (Teams or the local page): the channel's conversation reference, kept as the channel gave
 * it, per evidence record. Kept without expiry, like the evidence: a review may come weeks later.
 */
import type { KeyValueStore } from './key-value-store.ts';

const keyOf = (recordId: string) => `conversation-reference/{${recordId}}`;

export class ConversationReferences {
  constructor(private readonly store: KeyValueStore) {}

  async remember(recordId: string, reference: object): Promise<void> {
    await this.store.write([{ key: keyOf(recordId), value: reference }]);
  }

  /** The reference as stored (the channel's JSON), or undefined for a rehearsal held before references were kept. */
  async of(recordId: string): Promise<unknown> {
    return (await this.store.read([keyOf(recordId)]))[keyOf(recordId)]?.value;
  }
}
