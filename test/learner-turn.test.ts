import { describe, expect, it } from 'vitest';
import { readLearnerTurn, type LearnerTurn } from '../engine/learner-turn.ts';
import { readCustomerMessage } from '../engine/utterance.ts';
import { kettle } from './scenario-fixture.ts';

function read(text: string, earlier: LearnerTurn[] = [], customer = kettle.customer.opening): LearnerTurn {
  return readLearnerTurn(text, { scenario: kettle, turn: 2, previousCustomer: readCustomerMessage(customer), earlier });
}

describe('reading a learner turn', () => {
  it('finds empathy, an open question and the hidden fact it asks about', () => {
    const turn = read("I'm so sorry, that must be really frustrating. What happens when you switch it on?");
    expect(turn.moves.empathise).toHaveLength(1);
    expect(turn.moves.openQuestion).toEqual(['What happens when you switch it on?']);
    expect(turn.factsAsked).toEqual(['fault']);
  });

  it('reveals nothing for a question about nothing in the scenario', () => {
    expect(read('How is your day going?').factsAsked).toEqual([]);
  });

  it('counts "which would you prefer?" as asking for a choice, not as an open question', () => {
    const turn = read('I can replace it or refund you. Which would you prefer?');
    expect(turn.moves.openQuestion).toBeUndefined();
    expect(turn.moves.seekAgreement).toHaveLength(1);
  });

  it('reads an offer within authority, with the amount it is worth', () => {
    const turn = read('I can give you a refund of £25 today.');
    expect(turn.offers).toEqual([expect.objectContaining({ action: 'refund', amount: 25, conditional: false, route: { kind: 'own', upTo: 40 } })]);
  });

  it('reads an offer over the cap as one with no route', () => {
    expect(read("I'll refund you £60 now.").offers[0]).toMatchObject({ action: 'refund', amount: 60, route: { kind: 'none', upTo: 40 } });
  });

  it('reads an offer made subject to approval as conditional', () => {
    const turn = read("I can't promise anything, but I'll ask the duty manager if we can give you something for the trouble.");
    expect(turn.approvalSought).toBe(true);
    expect(turn.offers.every((o) => o.conditional)).toBe(true);
  });

  it('reads a refusal as a refusal, not an offer', () => {
    const turn = read("I'm afraid I can't refund you because it's past 30 days.");
    expect(turn.offers).toEqual([]);
    expect(turn.refusals).toEqual([expect.objectContaining({ action: 'refund' })]);
    expect(turn.moves.reason).toHaveLength(1);
  });

  it('reads a guarantee whatever frame it comes in', () => {
    expect(read('This one will definitely work, I guarantee it.').offers.map((o) => [o.action, o.route.kind])).toEqual([['guarantee', 'forbidden']]);
  });

  it('records commitments, with the time when one is given', () => {
    const turn = read("I'll ring you by 4pm tomorrow. Someone will be in touch soon.");
    expect(turn.commitments.map((c) => c.when)).toEqual(['by 4pm']);
    expect(turn.moves.vaguePromise).toEqual(['Someone will be in touch soon.']);
  });

  it('infers what an amount is for from what the customer asked', () => {
    const turn = read("Fair enough, I'll put the £50 through for you today.", [], 'I want £50 compensation for my wasted morning.');
    expect(turn.offers).toEqual([expect.objectContaining({ action: 'goodwill-payment', amount: 50, route: expect.objectContaining({ kind: 'approval' }) })]);
  });

  it('recognises a promise in the words of a scenario rule it breaks', () => {
    expect(read("Don't worry, I promise the replacement will never fail.").offers.map((o) => o.route.kind)).toContain('forbidden');
  });

  it('spots another customer being named and described', () => {
    expect(read('Funny, a Mrs Patel had the same thing with hers earlier.').offers.map((o) => o.action)).toEqual(['share-personal-data']);
  });

  it('reads blame, "calm down" and jargon', () => {
    const turn = read('Calm down, you must have overfilled it. I have raised an RMA as per our SLA.');
    expect(Object.keys(turn.moves)).toEqual(expect.arrayContaining(['calmDown', 'blame', 'jargon']));
  });

  it('reads reflecting back the customer\'s own words', () => {
    expect(read('So the kettle packed in after only ten days and you want it sorted today.').moves.reflect).toHaveLength(1);
  });
});
