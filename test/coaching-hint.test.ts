/**
 * Practice mode's coaching hints: they fire on the behaviour whatever the customer's mood, and never
 * contradict what the learner just did.
 */
import { describe, expect, it } from 'vitest';
import { coachingHint } from '../engine/coaching-hint.ts';
import { readLearnerTurn } from '../engine/learner-turn.ts';
import { readCustomerMessage } from '../engine/utterance.ts';
import { kettle } from './scenario-fixture.ts';

const hintFor = (text: string, customerGotWorse = false) =>
  coachingHint({
    turn: readLearnerTurn(text, {
      scenario: kettle,
      turn: 2,
      previousCustomer: readCustomerMessage('Can I have a refund?'),
      approvalSoughtEarlier: false,
    }),
    breaches: [],
    customerGotWorse,
  });

describe('coaching hints', () => {
  it('says a no came without a reason only when it did', () => {
    expect(hintFor("I can't refund that.")?.dimension).toBe('unresolved');
    expect(hintFor("I can't refund that, because it's past 30 days.")).toBeUndefined();
    // A limit or an approval sought is the reason: no hint that says there was none.
    expect(hintFor("I can't refund that myself; that decision sits with the duty manager.")).toBeUndefined();
    expect(hintFor("I can't refund that, but I'll ask the duty manager now.")).toBeUndefined();
  });

  it('coaches a promise with no time whatever the customer’s mood, and listening only when the customer got worse', () => {
    expect(hintFor("I'll look into it and someone will get back to you.", false)?.dimension).toBe('informing');
    expect(hintFor("I'll ring you by 4pm today.", false)).toBeUndefined();
    expect(hintFor('Right.', false)).toBeUndefined();
    expect(hintFor('Right.', true)?.dimension).toBe('listening');
  });
});
