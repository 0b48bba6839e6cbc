/**
 * The reader's rules, one table per behaviour, each row a learner line as new writers phrased it
 * in the fifth labelled batch (the classes that under-scored strong work or made false breaches),
 * with a near neighbour that must still be read the other way.
 */
import { describe, expect, it } from 'vitest';
import { readConversation } from '../engine/conversation-reading.ts';
import { Rehearsal } from '../engine/rehearsal.ts';
import { createRulesScorer, scoreTranscript } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { readLearnerTurn, type LearnerTurn } from '../engine/learner-turn.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { readCustomerMessage } from '../engine/utterance.ts';
import { kettle } from './scenario-fixture.ts';

/** The kettle scenario with the authority and demand a row needs. */
function scenarioWith(change: { authority?: Partial<Scenario['authority']>; asksFor?: Scenario['customer']['asksFor'] }): Scenario {
  return {
    ...kettle,
    customer: { ...kettle.customer, ...(change.asksFor ? { asksFor: change.asksFor } : {}) },
    authority: { ...kettle.authority, ...change.authority },
  };
}

function read(text: string, scenario: Scenario = kettle, customer = kettle.customer.opening): LearnerTurn {
  return readLearnerTurn(text, { scenario, turn: 2, previousCustomer: readCustomerMessage(customer), approvalSoughtEarlier: false });
}

const offersOf = (turn: LearnerTurn) =>
  turn.offers.map(
    (o) => `${o.action}${o.amount === undefined ? '' : ` £${o.amount}`} ${o.route.kind}${o.conditional ? ' (conditional)' : ''}`,
  );

const dentist = scenarioWith({
  authority: {
    mayOffer: [{ action: 'store-credit', upTo: 30 }],
    needsApproval: [{ action: 'goodwill-payment', approver: 'Practice manager', how: 'Complaint form.' }],
    never: [
      { action: 'share-personal-data', what: "Never discuss a colleague's health or illness, or any detail of another patient." },
      { action: 'fee-waiver', what: 'Never waive, reduce or offset the NHS charge.' },
    ],
  },
});
const vet = scenarioWith({
  asksFor: { action: 'refund', amount: 74.99, says: 'Put my seventy-five pounds back on my card.' },
  authority: {
    mayOffer: [{ action: 'partial-refund', upTo: 10 }],
    needsApproval: [{ action: 'partial-refund', above: 10, approver: 'Practice Manager', how: 'Ring extension 210.' }],
    never: [],
  },
});
const roaming = scenarioWith({
  asksFor: { action: 'partial-refund', amount: 186, says: 'Take the whole £186 off.' },
  authority: {
    mayOffer: [{ action: 'partial-refund', upTo: 50 }],
    needsApproval: [{ action: 'partial-refund', above: 50, approver: 'Team leader', how: 'The team-leader queue.' }],
    never: [],
  },
});
const halls = scenarioWith({
  authority: {
    mayOffer: [{ action: 'replacement' }],
    needsApproval: [{ action: 'exchange', approver: 'Accommodation Manager', how: 'A room-move request.' }],
    never: [],
  },
});

describe('offers: what is on offer, as what, for how much', () => {
  it.each<[string, Scenario, string, string[], string?]>([
    // A refusal in one clause, an answer in the next: the never rule is read after the promise, in its clause.
    [
      'a refusal to discuss a colleague, then a fact',
      dentist,
      "I'm afraid I can't discuss a colleague's health, but I can tell you that the crown doesn't have to be fitted by Dr Okoye.",
      [],
    ],
    [
      'talking about the forbidden subject itself',
      dentist,
      "I can tell you my colleague's illness is her back, and her health is poor.",
      ['share-personal-data forbidden'],
    ],
    // An instruction to the customer, with "the reference I'll give you" at the end of it.
    [
      'an instruction ending in a promise of a reference',
      scenarioWith({
        authority: { never: [{ action: 'guarantee', what: 'Never promise that the claims team will pay for a replacement outfit.' }] },
      }),
      'If you do buy an outfit, keep every receipt and claim online within 21 days, quoting the reference I will give you.',
      [],
    ],
    ['a call about a refund', vet, 'And Karen or I will ring you before 5pm today about the full refund.', ['callback own']],
    ['honesty about a repair', kettle, "I'll be straight with you about the repair first, because you've had two guesses.", []],
    ['what about a refund?', kettle, 'What about a refund of £30 instead?', ['refund £30 own']],
    ['an option put as a question', kettle, 'Would a replacement on Saturday suit you?', ['replacement £25 own']],
    // Two offers in one sentence: each amount goes with its own offer.
    [
      'the amount after the second offer',
      kettle,
      'I can swap it for a new one today, or refund you £60.',
      ['refund £60 none', 'replacement £25 own'],
    ],
    ['the amount after the first offer', kettle, 'I can refund you £30 or replace it.', ['refund £30 own', 'replacement £25 own']],
    [
      'a goodwill credit is account credit',
      dentist,
      'What I can do myself is a £30 goodwill credit on your account.',
      ['store-credit £30 own'],
    ],
    ['a refund of less than was paid', vet, 'I can refund £10 to your card myself today as an apology.', ['partial-refund £10 own']],
    ['a refund of all that was paid', vet, 'I can refund the full £74.99 to your card.', ['refund £74.99 none']],
    [
      'an amount in the scenario’s own terms',
      roaming,
      'I can credit £50 myself, now.',
      ['partial-refund £50 own'],
      'Take the whole £186 off. All of it.',
    ],
    [
      'taking it off the bill',
      roaming,
      "I've taken the roaming off this bill, all £186.",
      ['partial-refund £186 approval'],
      'Take the whole £186 off.',
    ],
    ['swapping for ours is a replacement', halls, "If you bring it down, we'll swap it for ours.", ['replacement £25 own']],
    ['swapping on its own is an exchange', halls, 'We can swap it for you tomorrow.', ['exchange approval']],
    ['marking a balance settled waives it', dentist, "I'll mark it as settled on your account.", ['fee-waiver forbidden']],
    ['an exemption waives nothing', dentist, "There's nothing to pay as you're over 60.", []],
  ])('%s', (_name, scenario, text, expected, customer) => {
    expect(offersOf(read(text, scenario, customer))).toEqual(expected);
  });
});

describe('guarantees: an outcome promised, or someone else’s decision predicted', () => {
  it.each<[string, boolean]>([
    ["I can promise you it won't happen again.", true],
    ["You won't get another short delivery from us.", true],
    ["They'll be offering you some compensation for the hassle, they always do.", true],
    ["I can't promise it won't happen again, but I've changed the setting.", false],
    ["I can't tell you what they'll decide.", false],
  ])('%s → %s', (text, guaranteed) => {
    expect(read(text).offers.some((o) => o.action === 'guarantee')).toBe(guaranteed);
  });
});

describe('moves: how the learner goes about it', () => {
  it.each<[string, keyof LearnerTurn['moves'], boolean]>([
    ['C) Official resale: safe and no cost to anyone, but it might not sell.', 'prosCons', true],
    ['Best shot at getting the full £137 back, but it is not guaranteed.', 'prosCons', true],
    ["I'll call you back, but not today.", 'prosCons', false],
    ['Would doing the first two together work for you?', 'seekAgreement', true],
    ['How does the small bag tomorrow and the big one at home on Thursday sound?', 'seekAgreement', true],
    ['Which time did the engineer come?', 'seekAgreement', false],
    ["Anything I've missed?", 'checkSatisfaction', true],
    ["Are you OK with where we've got to?", 'checkSatisfaction', true],
    ['Is all of that all right?', 'checkSatisfaction', true],
    ["Refunding the full £74.99 is beyond what I'm allowed to agree.", 'stateLimit', true],
    ['That decision sits with our Practice Manager.', 'stateLimit', true],
    ['Only Gareth Pryce can approve the move.', 'stateLimit', true],
    ["I'm calling the supervisor now.", 'seekApproval', true],
    ["I'll put your request to the manager this afternoon.", 'seekApproval', true],
    ["I'm also reporting it to Karen Doyle today on our incident form.", 'reportProblem', true],
    ["I've told Karen directly, and she'll look at it.", 'reportProblem', true],
    ['I told you that yesterday.', 'reportProblem', false],
    ["I'm telling my team leader, so nobody else is told a guess.", 'preventRepeat', true],
    ["I'll suggest that any pump needing a second reset gets replaced.", 'preventRepeat', true],
    ['Your reference is EDINW 24817.', 'jargon', false],
    ["The Students' Union Advice Centre in the SU building can help.", 'jargon', false],
    ['After that, the OIA, the independent adjudicator for students, can review it.', 'jargon', false],
    ['After that you can go to the OIA.', 'jargon', true],
    ['It was charged at 30p per MB.', 'jargon', false],
  ])('%s → %s %s', (text, move, found) => {
    expect((read(text).moves[move]?.length ?? 0) > 0).toBe(found);
  });
});

describe('promises: what the customer can hold us to', () => {
  it('reads a recap that names times as a specific promise', () => {
    const turn = read('To summarise: £22.30 back to your card within 3 to 5 working days; the top-up tomorrow 6–7pm.');
    expect(turn.commitments.map((c) => c.when)).toEqual([expect.stringContaining('working days')]);
    expect(turn.moves.vaguePromise).toBeUndefined();
  });

  it('does not read "I\'ll be straight with you" as a promise with no time', () => {
    const turn = read("I'll be straight with you: the part has no date yet.");
    expect(turn.commitments).toEqual([]);
    expect(turn.moves.vaguePromise).toBeUndefined();
  });
});

describe('listening: details from earlier in the conversation carried forward', () => {
  const turns = [
    { role: 'customer' as const, text: 'My daughter is coeliac and the gluten free bread was swapped for normal wholemeal bread.' },
    { role: 'learner' as const, text: 'I am so sorry. Could you tell me what happened at the door?' },
    { role: 'customer' as const, text: 'The driver just handed it over and left.' },
  ];

  it('counts a later sentence that uses four of the earlier details', () => {
    const reading = readConversation(kettle, [
      ...turns,
      { role: 'learner', text: 'Because your daughter is coeliac, I will make sure the gluten free bread is never swapped again.' },
    ]);
    expect(reading.learnerTurns[1]!.moves.reflect).toHaveLength(1);
  });

  it('does not count a sentence that shares a word or two with it', () => {
    const reading = readConversation(kettle, [...turns, { role: 'learner', text: 'Thank you. I will look at the bread order now.' }]);
    expect(reading.learnerTurns[1]!.moves.reflect).toBeUndefined();
  });
});

describe('question topics: a one-word topic keeps its question word', () => {
  const orders = {
    ...kettle,
    facts: [{ ...kettle.facts[0]!, topics: ['which order'] }, ...kettle.facts.slice(1)],
  };
  it.each<[string, boolean]>([
    ['Which order was it?', true],
    ['Which of your orders went wrong?', true],
    ['Can I check the order was delivered?', false],
    ['What did you order?', false],
  ])('%s → reveals it: %s', (text, reveals) => {
    expect(read(text, orders).factsAsked.includes(kettle.facts[0]!.id)).toBe(reveals);
  });
});

describe('authority beyond money: forms, conditions and the scenario’s own wordings', () => {
  // Any collection is the learner's; a same-day one needs the supervisor; a promised time of day never.
  const bins = scenarioWith({
    authority: {
      mayOffer: [{ action: 'reschedule' }],
      needsApproval: [
        {
          action: 'reschedule',
          form: 'same-day collection',
          wordings: ['same day', 'today', 'this afternoon'],
          approver: 'Supervisor',
          how: 'Radio the supervisor.',
        },
      ],
      never: [],
    },
  });
  // Bottled water is everyone's to ask for, but the learner's to send only to a vulnerable household.
  const water = scenarioWith({
    authority: {
      mayOffer: [{ action: 'replacement', onlyIf: { factUncovered: 'fault' } }],
      needsApproval: [{ action: 'replacement', approver: 'Duty manager', how: 'Ring the duty manager.' }],
      never: [],
    },
  });
  const worded = {
    ...kettle,
    options: kettle.options.map((o) => (o.id === 'refund' ? { ...o, wordings: ['put the money back on your card'] } : o)),
  };
  const voucher = scenarioWith({
    authority: {
      mayOffer: [{ action: 'store-credit', upTo: 20 }],
      needsApproval: [{ action: 'goodwill-payment', approver: 'Duty manager', how: 'Ring the duty manager.' }],
      never: [],
    },
  });

  const flights = {
    ...scenarioWith({
      authority: { needsApproval: [{ action: 'upgrade', approver: 'Duty Baggage Supervisor', how: 'Radio channel 4.' }] },
    }),
    options: [
      { ...kettle.options[0]!, id: 'rush', action: 'upgrade' as const, amount: undefined, wordings: ['earlier flight', 'the 11:20'] },
    ],
  };

  it.each<[string, Scenario, string, string[]]>([
    ['done already, in the scenario’s words', flights, "I've switched your case onto the earlier flight.", ['upgrade approval']],
    [
      'asking the supervisor to do it',
      flights,
      'I can get my supervisor to ask Heathrow to put your case on the 11:20.',
      ['upgrade approval (conditional)'],
    ],
    ['wishing one could is refusing', flights, "I really wish I could promise the 11:20, but it's Heathrow's call.", []],
    ['the plain form of an action', bins, 'I can rebook the collection for Thursday.', ['reschedule own']],
    ['the named form, in its own words', bins, 'I can rebook the collection for this afternoon.', ['reschedule approval']],
    ['the named form, hyphenated', bins, 'I can rebook it as a same-day collection.', ['reschedule approval']],
    // A form's words only say which form an offer of the action is: "today" offers no collection.
    ['a form’s words alone offer nothing', bins, 'I can refund you today.', ['refund £25 none']],
    ['a condition not yet met', water, 'I can send you a replacement.', ['replacement £25 approval']],
    ['the scenario’s wording for an option', worded, 'I can put the money back on your card today.', ['refund £25 own']],
    ['a voucher is not cash', voucher, 'I can give you a £20 voucher as a goodwill gesture.', ['store-credit £20 own']],
    ['cash is not a voucher', voucher, 'I can give you £20 as a goodwill gesture.', ['goodwill-payment £20 approval']],
  ])('%s', (_name, scenario, text, expected) => {
    expect(offersOf(read(text, scenario))).toEqual(expected);
  });

  it('applies the same condition during a live rehearsal, turn by turn, as in the final reading', async () => {
    const rehearsal = await Rehearsal.start(water, { customer: createScriptedCustomer(), scorer: createRulesScorer() }, 'seed');
    await rehearsal.learnerSays('What happens when you switch it on?');
    const exchange = await rehearsal.learnerSays('I can send you a replacement.');
    expect(offersOf(exchange.reading)).toEqual(['replacement £25 own']);
  });

  it('applies a condition once the learner has uncovered the fact', () => {
    const reading = readConversation(water, [
      { role: 'customer', text: kettle.customer.opening },
      { role: 'learner', text: 'What happens when you switch it on?' },
      { role: 'customer', text: 'The light comes on and nothing else.' },
      { role: 'learner', text: 'I can send you a replacement.' },
    ]);
    expect(reading.learnerTurns[0]!.factsAsked).toContain('fault');
    expect(offersOf(reading.learnerTurns[1]!)).toEqual(['replacement £25 own']);
  });
});

describe('negotiation: options weighed and the outcome confirmed', () => {
  it('counts options put with their pros and cons and closed with a recap, in words the action list does not know', () => {
    const report = scoreTranscript(kettle, [
      { role: 'customer', text: kettle.customer.opening },
      {
        role: 'learner',
        text: 'A) A loan kettle from the counter: quick, but it is a basic model. B) Waiting for your own to come back: free, but it takes a week.',
      },
      { role: 'customer', text: 'The loan one, then.' },
      { role: 'learner', text: "So to confirm, the loan kettle today, and yours back next Friday. Anything I've missed?" },
    ]);
    expect(report.dimensions.negotiation!.level).toBeGreaterThanOrEqual(2);
  });
});
