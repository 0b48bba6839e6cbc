/**
 * The reader's rules, one table per behaviour, each row a learner line as new writers phrased it
 * in the fifth labelled batch (the classes that under-scored strong work or made false breaches),
 * with a near neighbour that must still be read the other way.
 */
import { describe, expect, it } from 'vitest';
import { findBreaches } from '../engine/authority-breaches.ts';
import { judgeReporting } from '../engine/dimension-judges.ts';
import { readConversation } from '../engine/conversation-reading.ts';
import { Rehearsal } from '../engine/rehearsal.ts';
import { createRulesScorer, scoreTranscript } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { readLearnerTurn, type LearnerTurn } from '../engine/learner-turn.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { analyse, readCustomerMessage } from '../engine/utterance.ts';
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

/** Account credit of a day's fee is the learner's to give; money back needs the owner. (No
 * kettle options: the money asked for is the £120 of fees.) */
const nursery: Scenario = {
  ...scenarioWith({
    asksFor: { action: 'refund', amount: 120, says: 'I want the money back for those days.' },
    authority: {
      mayOffer: [{ action: 'store-credit', upTo: 40 }],
      needsApproval: [{ action: 'refund', approver: 'Owner', how: 'A fee review request.' }],
      never: [],
    },
  }),
  options: [],
};
/** A brief that forbids saying the branch was at fault before the review. */
const carHire = scenarioWith({
  authority: {
    mayOffer: [{ action: 'goodwill-payment', upTo: 100 }],
    needsApproval: [{ action: 'goodwill-payment', above: 100, approver: 'Team leader', how: 'Ask on the case.' }],
    never: [{ action: 'guarantee', what: 'Never say the branch or its staff were at fault before the damage-claims review.' }],
  },
});

/** Travel costs need the owner; never a promise about the outcome. */
const taxis = scenarioWith({
  authority: {
    mayOffer: [{ action: 'repair' }],
    needsApproval: [{ action: 'goodwill-payment', approver: 'Owner', how: 'Text him.' }],
    never: [
      { action: 'guarantee', what: 'Never say the car is safe to drive.' },
      { action: 'share-personal-data', what: 'Never tell the customer anything about another customer.' },
    ],
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
    // The vet's authority lists no full refund: the scenario is silent, so it is read but judged no breach.
    ['a refund of all that was paid', vet, 'I can refund the full £74.99 to your card.', ['refund £74.99 unlisted']],
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
    // Money off the next bill is account credit, read in the scenario's own kind of money.
    ['credit on the next invoice', nursery, 'I can put a £40 credit on your next invoice.', ['store-credit £40 own']],
    [
      'money off a named month’s bill',
      nursery,
      "What I can do is £40 off your April bill, that's one day's fee.",
      ['store-credit £40 own'],
    ],
    ['money back to the card is a refund', nursery, "I'll put the £120 back on your card today.", ['refund £120 approval']],
    // Part of the money back, where the brief lists only refunds, needs what a refund needs.
    ['a partial refund where only refunds are listed', nursery, 'I can do a partial refund of £60.', ['partial-refund £60 approval']],
    // What the money was paid for is no second offer.
    ['a refund of what the repair cost', kettle, 'I can also refund your £25 for the repair today.', ['refund £25 own']],
    ['a replacement paid for', kettle, "I'll refund the £25 you paid for the replacement.", ['refund £25 own']],
    ['a replacement offered', kettle, "I'll send you a replacement today.", ['replacement £25 own']],
    // An action the brief is silent on is read, and judged no breach.
    ['an action the brief does not list', kettle, 'I can rebook you for Thursday at 10.', ['reschedule unlisted']],
    // "I don't want you short" refuses nothing: the goodwill after it is given.
    [
      'a wish for the customer, then money given',
      carHire,
      "I don't want you short for your rent, so I'm putting £150 goodwill through to your card right now.",
      ['goodwill-payment £150 approval'],
    ],
    // A bare yes answers the question the customer asked, not the demand beside it.
    [
      'a yes to "have you got a minute?"',
      nursery,
      'Of course.',
      [],
      "Have you got a minute? Because I'm not paying for days she wasn't here. I want the money back.",
    ],
    ['a yes to the money back', nursery, 'Of course.', ['refund approval'], 'Can I have the money back for those days?'],
    ['a yes to "can you do that?"', nursery, 'Of course.', ['refund approval'], 'I want the money back. Can you do that?'],
    // Holding a charge gives no money; a request for the action asks for it.
    ['a charge put on hold', nursery, "First, I'll put the £28 on hold for fourteen days.", []],
    ['money put through', nursery, "I'll put the £28 through to your card today.", ['partial-refund £28 approval']],
    [
      'a write-off request sent',
      nursery,
      "If it isn't found, I'll send her a full refund request with the fault log.",
      ['refund £120 approval (conditional)'],
    ],
    // A promise that is itself an offer is judged as that offer, not as a never rule it shares words with.
    [
      'a refund that shares words with a never rule',
      scenarioWith({
        authority: {
          mayOffer: [{ action: 'refund', upTo: 60 }],
          never: [{ action: 'guarantee', what: 'Never promise the hot tub will be fixed.' }],
        },
      }),
      "Either way I'll refund the £60 hot tub supplement today.",
      ['refund £60 own'],
    ],
    [
      'the never rule’s own promise',
      scenarioWith({
        authority: { never: [{ action: 'guarantee', what: 'Never promise that the hot tub will be fixed by a given day.' }] },
      }),
      "I'll make sure the hot tub is fixed by Monday.",
      ['guarantee forbidden'],
    ],
    ['an email confirming a refund', vet, "You'll get an email confirming the refund today.", []],
    [
      'the labour part of a service',
      vet,
      'So, I can refund the labour part of the service, which is £10, today.',
      ['partial-refund £10 own'],
    ],
    [
      'a request for an action, sent to a named person',
      vet,
      "I'll send Rob the request for a partial refund today.",
      ['partial-refund own (conditional)'],
    ],
    // The customer's goal, and the customer's own request to someone else, offer nothing.
    ['a purpose, not an offer', kettle, "I'm going to be straight with you because it matters for getting your money back.", []],
    [
      'the customer’s request to the seller',
      kettle,
      'You can send them straight to the seller with your request for a replacement or refund.',
      [],
    ],
    // An amount goes with the option named in the author's words, not the money beside it.
    [
      'an amount beside an option in the author’s words',
      { ...kettle, options: kettle.options.map((o) => (o.id === 'replace' ? { ...o, wordings: ['loan kettle'] } : o)) },
      'What I can do today is refund the £40 in full, and I can also send a loan kettle if you would like.',
      ['refund £40 own', 'replacement £25 own'],
    ],
    // A refund the learner may give anyway stays a refund, though less than was paid.
    [
      'a refund within the learner’s own cap',
      { ...vet, authority: { ...vet.authority, mayOffer: [...vet.authority.mayOffer, { action: 'refund', upTo: 50 }] } },
      'I can refund them at £6 each, which would be £48.',
      ['refund £48 own'],
    ],
    // A waiver with the trouble as its reason is one offer; "credit you £15" is the scenario's kind of credit.
    [
      'a waiver for the inconvenience',
      scenarioWith({ authority: { mayOffer: [{ action: 'fee-waiver', upTo: 12 }] } }),
      "I can waive one month's plan fee, £12, for the inconvenience.",
      ['fee-waiver £12 own'],
    ],
    ['money for the trouble, on its own', kettle, "I'll give you £30 for the inconvenience.", ['goodwill-payment £30 approval']],
    [
      'a credit in a scenario whose credits are money off the bill',
      scenarioWith({
        asksFor: { action: 'goodwill-payment', amount: 50, says: 'I want compensating.' },
        authority: { mayOffer: [{ action: 'partial-refund', upTo: 15 }] },
      }),
      'I can credit you £15 for the difference on the first month.',
      ['partial-refund £15 own'],
    ],
    // Said to be someone else's decision: put subject to it.
    [
      'a request said to be with the approver',
      kettle,
      'The goodwill request is with the duty manager and I will ring you by Friday.',
      ['goodwill-payment approval (conditional)', 'callback own (conditional)'],
    ],
    [
      'a refund said to be decided by someone else',
      nursery,
      'Or I can put a refund through to your card, which is decided by the owner.',
      ['refund approval (conditional)'],
    ],
    // What evidence would allow is not yet offered.
    [
      'what the footage would allow',
      kettle,
      'I can agree a goodwill payment today, once the footage allows me to.',
      ['goodwill-payment approval (conditional)'],
    ],
    // An amount set off by commas goes with the offer before it; a request sent to someone named asks for it.
    [
      'an amount between commas',
      scenarioWith({ authority: { mayOffer: [{ action: 'refund', upTo: 40 }, { action: 'exchange' }] } }),
      'I can either refund the two unused sessions, £30, or exchange them for another day.',
      ['refund £30 own', 'exchange own'],
    ],
    [
      'a request sent to someone named',
      nursery,
      "I'm sending Nadia a request now to refund the three days.",
      ['refund approval (conditional)'],
    ],
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
    // A promise disclaimed is no promise; a promise of news guarantees no outcome.
    ["I also won't pretend I can promise you'll be ready by Monday week.", false],
    ["I'd be lying if I said I could promise it won't happen again.", false],
    ["You'll know either way, I promise you that.", false],
    ['It will work by Friday, I promise.', true],
    // Comfort that names no outcome guarantees nothing; with a time it does.
    ["Don't worry, we'll get you sorted, I promise.", false],
    ["We'll get it sorted by Friday, I promise.", true],
    // Forecasting the approver's answer.
    ["Between you and me, I can't see her saying no to you.", true],
    ["I'd put money on it.", true],
    ["She's always good when it's our mistake.", true],
  ])('%s → %s', (text, guaranteed) => {
    expect(read(text).offers.some((o) => o.action === 'guarantee')).toBe(guaranteed);
  });
});

describe('admissions: saying the organisation was at fault, where the brief forbids it', () => {
  it.each<[string, Scenario, boolean]>([
    ["That's on our side, not yours.", carHire, true],
    ['That was a handling mistake by the crew, I think.', carHire, true],
    ["Whether the branch was at fault isn't mine to decide; the review decides.", carHire, false],
    ["I'm afraid I can't say the branch got it wrong.", carHire, false],
    // Where the brief does not forbid it, owning a failure is good practice, not a breach.
    ["That's on us, not you.", kettle, false],
  ])('%s', (text, scenario, breach) => {
    expect(read(text, scenario).offers.some((o) => o.route.kind === 'forbidden')).toBe(breach);
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
    // The name of a reference on the customer's letter is no jargon; clearing the customer is no blame.
    ['Can I grab the PCN number off the letter first?', 'jargon', false],
    ['Not your fault at all.', 'blame', false],
    ['It is certainly not your fault.', 'blame', false],
    ['That is your fault, I am afraid.', 'blame', true],
    // A report on the organisation's own form, to someone named, with a suggestion that stops a repeat.
    ["I'm also sending a supplier issue report today to our plant buyer, Martin Hale.", 'reportProblem', true],
    ["I'm putting this in to Gareth, our facilities manager, today as urgent.", 'reportProblem', true],
    ['Send me a photo of the report you were given.', 'reportProblem', false],
    ['I have emailed the warehouse manager with a suggestion that the line checks each label.', 'preventRepeat', true],
    ["I'm asking for the roof to be properly surveyed this week.", 'preventRepeat', true],
    ["I'd like the whole picture before I suggest anything.", 'preventRepeat', false],
    ['It should be fixed properly, not patched again.', 'preventRepeat', true],
    // "Don't tell anyone, but…" oversteps; a practice stated with "don't tell anyone" does not.
    ["Don't tell anyone, but I'll knock it off.", 'overstep', true],
    ["I'll make sure the whole team knows we don't tell anyone their car was damaged until it's checked.", 'overstep', false],
    // The fourteenth batch: a choice put in chat words, a cost after the option, the budget it comes out of.
    ["Refund or trout, what d'you reckon?", 'seekAgreement', true],
    ['What do you reckon happened?', 'seekAgreement', false],
    ['That OK with you?', 'seekAgreement', true],
    ['All good?', 'checkSatisfaction', true],
    ["Or some trout instead, but that's another few mins and more to carry.", 'prosCons', true],
    ["Anything over a tenner comes out of the store's budget.", 'prosConsOrganisation', true],
    ["What's your budget for it?", 'prosConsOrganisation', false],
    // Reporting in the learner's own words: reporting or flagging "yours", texting the owner the details.
    ["So I'm reporting yours to Gary today as a repeat.", 'reportProblem', true],
    ["I'm flagging yours to Gary today as the second one.", 'reportProblem', true],
    ["I'm texting the owner, Gary, today with your reg and the part number.", 'reportProblem', true],
    ["I'm texting you the booking link now.", 'reportProblem', false],
    ["I'll put in a report to our online operations manager.", 'reportProblem', true],
    // The fifteenth batch: limits said in the learner's words, costs weighed in passing, "what's best for you?".
    ["I'm not able to overturn a decision or authorise a payment myself.", 'stateLimit', true],
    ['That is for a claims assessor to decide.', 'stateLimit', true],
    ["I'm not able to hear you very well.", 'stateLimit', false],
    ['Only a claims assessor can overturn it.', 'stateLimit', true],
    ['A resin repair is quicker, usually within two weeks, but a faint line may still show.', 'prosCons', true],
    ['A replacement gives you a new top, but it takes longer.', 'prosCons', true],
    ["6pm is good for your mum and the kids, not so good for your brother's lot.", 'prosCons', true],
    ['It is good to hear from you.', 'prosCons', false],
    ['A repair would cost us far less.', 'prosConsOrganisation', true],
    ["Could do both if you like? What's best for you?", 'seekAgreement', true],
    // Capitals for emphasis are not an acronym.
    ["So here's what I CAN do, and you tell me what works.", 'jargon', false],
  ])('%s → %s %s', (text, move, found) => {
    expect((read(text).moves[move]?.length ?? 0) > 0).toBe(found);
  });
});

describe('chat spelling: contractions typed without the apostrophe', () => {
  it.each<[string, string]>([
    ['Im not allowed to refund that myself.', 'i am not allowed to refund that myself.'],
    ['I cant promise the outcome, and I dont know yet.', 'i can not promise the outcome, and i do not know yet.'],
    ['Ive checked and youll get it, thats fine.', 'i have checked and you will get it, that is fine.'],
    // Words that are words in their own right stay as they are.
    ['We were well, and its ill effects were small.', 'we were well, and its ill effects were small.'],
    ['The constructor was here.', 'the constructor was here.'],
  ])('%s', (text, plain) => {
    expect(
      analyse(text)
        .sentences.map((s) => s.plain)
        .join(' '),
    ).toBe(plain);
  });

  it('reads a limit typed without apostrophes as a limit, not an offer', () => {
    const turn = read('Im not allowed to give you a goodwill payment myself, it has to go to the duty manager.');
    expect(turn.offers.filter((o) => !o.conditional)).toEqual([]);
  });
});

describe('restating and recapping: what was said back is not offered again', () => {
  it('reads the customer’s account said back to them as no offer', () => {
    const customer = 'My kettle stopped, I had to get a taxi to the shop with it, and I need a working one today.';
    const restated =
      "Ok, let me just check I've got it all: your kettle stopped, you had to get a taxi to the shop, and you need one today?";
    expect(offersOf(read(restated, kettle, customer))).toEqual([]);
    // The same words, not said back, offer the taxi.
    expect(offersOf(read("I've got it: I'll get a taxi to take you to the shop today.", kettle, customer))).toEqual([
      'goodwill-payment approval',
    ]);
  });

  it('reads "has to OK it, not me" as a limit that puts the option subject to approval', () => {
    const turn = read('Two: a goodwill payment of £30. It is a cost to the shop, so the duty manager has to OK it, not me.');
    expect(turn.moves.stateLimit).toHaveLength(1);
    expect(offersOf(turn)).toEqual(['goodwill-payment £30 approval (conditional)']);
  });

  it('reads passing the case to a named approver as seeking approval', () => {
    expect(read('I can pass your case to the duty manager, who decides on anything more.').approvalSought).toBe(true);
  });

  it('reads an option put as needing someone else’s agreement, in the same turn, as put subject to it', () => {
    const turn = read('Two: a goodwill payment of £30 for the trouble. The duty manager has to OK that one, not me.');
    expect(offersOf(turn)).toEqual(['goodwill-payment £30 approval (conditional)']);
    // Said as done, with the approval about something else, it is still a breach.
    expect(offersOf(read("I've put a goodwill payment of £30 through. The duty manager has to OK a replacement, not me."))).toEqual([
      'goodwill-payment £30 approval',
    ]);
  });

  it('reads putting it to a named approver as seeking approval', () => {
    expect(read('If you feel we should pay more, I can put that to the duty manager, who replies within a day.').approvalSought).toBe(true);
  });

  it('reads "the most we can pay is £50" as a limit, not a forbidden promise', () => {
    const courier = scenarioWith({
      authority: { never: [{ action: 'guarantee', what: 'Never promise the claim will pay out or what we will pay on it.' }] },
    });
    expect(offersOf(read('The most we can pay on any claim is £50, and we pay it to them.', courier))).toEqual([]);
    expect(offersOf(read('We will pay out on the claim, I promise.', courier))).toEqual(['guarantee forbidden']);
  });

  it('reads a decision reported back as approval sought, and a condition as none', () => {
    expect(read("Karen's just messaged me back: she's put it through.").approvalSought).toBe(true);
    expect(read('If they have approved it by then, the engineer comes that day.').approvalSought).toBe(false);
  });

  it('reads a refund with a promise to get back to the customer as a refund', () => {
    expect(offersOf(read("I'll refund you £60 now and get back to you tomorrow."))).toEqual(['refund £60 none']);
  });

  it('reads "I will come back to all three" as topics to return to, not offers', () => {
    const turn = read('I hear you on the money and the goodwill payment, and I will come back to both before you leave, I promise.');
    expect(offersOf(turn)).toEqual([]);
  });
});

describe('refusals: what the learner says they cannot do', () => {
  it.each<[string, string[]]>([
    ["Sorry, a same-day courier upgrade isn't something I'm able to do.", ['upgrade']],
    ["A same-day courier upgrade isn't something I'd normally arrange, but I can ask.", []],
  ])('%s', (text, refused) => {
    expect(read(text).refusals.map((r) => r.action)).toEqual(refused);
  });
});

describe('the names of sources of help', () => {
  it('reads a source’s own short name as plain words, and the same name elsewhere as jargon', () => {
    const deposit: Scenario = {
      ...kettle,
      sourcesOfHelp: [
        ...kettle.sourcesOfHelp,
        { id: 'tds', name: 'Tenancy Deposit Scheme (TDS)', kind: 'external', contact: 'Online', when: 'For a deposit dispute.' },
      ],
    };
    const line = 'If he will not agree, you can raise a dispute with TDS online.';
    expect(read(line, deposit).moves.jargon).toBeUndefined();
    expect(read(line).moves.jargon).toHaveLength(1);
  });
});

describe('breaches: only what the brief rules out', () => {
  it('judges no breach for an action the brief is silent on, and one for an amount over a cap with no approver', () => {
    expect(findBreaches([read('I can rebook you for Thursday at 10.')])).toEqual([]);
    expect(findBreaches([read("I'll refund you £60 now.")]).map((b) => b.rule)).toEqual([
      'refund of £60 is over the £40 limit, with no one to approve more',
    ]);
  });
});

describe('promises: what the customer can hold us to', () => {
  it('reads a recap that names times as a specific promise', () => {
    const turn = read('To summarise: £22.30 back to your card within 3 to 5 working days; the top-up tomorrow 6–7pm.');
    expect(turn.commitments.map((c) => c.when)).toEqual([expect.stringContaining('working days')]);
    expect(turn.moves.vaguePromise).toBeUndefined();
  });

  it('reads a recap that starts "So:" and names times as a specific promise, and a question as none', () => {
    const recap = read("So: formula's sorted, £5.50 back on your card in 3-5 days, and the £15 voucher here.");
    expect(recap.commitments.map((c) => c.when)).toEqual([expect.stringContaining('3-5 days')]);
    expect(read('So: what happened when you got there on 3 May?').commitments).toEqual([]);
  });

  it('reads a day as chat shortens it, after a word that makes it a day', () => {
    expect(analyse("If the money's not there by next Fri, ring customer care.").sentences[0]!.times).toEqual(['by next fri']);
    expect(analyse('Fri chips are the best.').sentences[0]!.times).toEqual([]);
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
  /** An option only the author's words name (the kettle's replacement, as "email the collection label"). */
  const emailed = {
    ...kettle,
    options: kettle.options.map((o) => (o.id === 'replace' ? { ...o, wordings: ['email the collection label'] } : o)),
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

  // A wording that names the approver is no wording of the remedy: the validator warns, the reader ignores it.
  const namedApprover = {
    ...voucher,
    options: kettle.options.map((o) => (o.id === 'replace' ? { ...o, wordings: ['a loan kettle', 'duty manager'] } : o)),
  };

  // The author's word for a partial refund, inside a sentence that says "refund".
  const labour: Scenario = {
    ...nursery,
    authority: { ...nursery.authority, mayOffer: [{ action: 'partial-refund', upTo: 10 }] },
    options: [{ ...kettle.options[0]!, id: 'labour', action: 'partial-refund', amount: 10, wordings: ['labour'] }],
  };

  // The author's wording is itself a name ("Faster Payment"): still the option, not money the customer asked for.
  const fasterPayment: Scenario = {
    ...scenarioWith({ asksFor: { action: 'goodwill-payment', amount: 150, says: 'I want £150 for this.' } }),
    options: [{ ...kettle.options[0]!, id: 'resend', action: 'redelivery', amount: undefined, wordings: ['Faster Payment'] }],
  };

  it.each<[string, Scenario, string, string[]]>([
    [
      'an option whose wording is a name',
      fasterPayment,
      'I can send the £850 to your landlord now by Faster Payment.',
      ['redelivery £850 unlisted'],
    ],
    ['a refund in the author’s words for a partial one', labour, 'I can refund the labour today.', ['partial-refund £10 own']],
    ['the approver named, not the remedy', namedApprover, 'I can get the duty manager over for you now.', []],
    ['the remedy in the author’s words', namedApprover, 'I can give you a loan kettle today.', ['replacement £25 unlisted']],
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
    ['a form’s words alone offer nothing', bins, 'I can refund you today.', ['refund £25 unlisted']],
    ['a condition not yet met', water, 'I can send you a replacement.', ['replacement £25 approval']],
    ['the scenario’s wording for an option', worded, 'I can put the money back on your card today.', ['refund £25 own']],
    [
      'the author’s wording with who it goes to after the verb',
      emailed,
      "I'll email you the collection label today.",
      ['replacement £25 own'],
    ],
    ['the author’s wording split by other words', emailed, "I'll email the customer services team about the collection label.", []],
    ['a voucher is not cash', voucher, 'I can give you a £20 voucher as a goodwill gesture.', ['store-credit £20 own']],
    // The fourteenth batch: what is only named, relayed or asked about is not offered.
    [
      'telling the approver what the customer wants',
      dentist,
      "So I'll tell Sue you want compensation looked at as well.",
      ['goodwill-payment approval (conditional)'],
    ],
    ['compensation given outright', dentist, "I'll pay you compensation today.", ['goodwill-payment approval']],
    ['someone else’s recommendation', nursery, "I can see the engineer's note from December recomending a refund.", []],
    [
      'a request named as a thing',
      nursery,
      'Would you like me to log a formal complaint now, alongside the refund request?',
      ['refund approval (conditional)'],
    ],
    [
      'asking what matters most',
      nursery,
      'So that I offer the right things: what matters most to you now, having it quickly or some money back?',
      [],
    ],
    [
      'costs charged to us',
      taxis,
      "Book whatever taxis you need today and stick them on us, I'll sort the rest.",
      ['goodwill-payment approval'],
    ],
    ['receipts paid back', taxis, "Send me the receipts and I'll get the lot paid back to you this week.", ['goodwill-payment approval']],
    [
      'a refund with a receipt stays a refund',
      scenarioWith({
        authority: {
          mayOffer: [{ action: 'refund' }],
          needsApproval: [{ action: 'goodwill-payment', approver: 'Owner', how: 'Text him.' }],
          never: [],
        },
      }),
      "I'll refund you once I've got the receipt.",
      ['refund £25 own'],
    ],
    ['who another customer is', taxis, "She's one of our Friday regulars, so it'll come straight back.", ['share-personal-data forbidden']],
    // The fifteenth batch: what a refund is, a request sent or put to the approver, a new one ordered.
    ['saying what a refund is', nursery, 'He would almost certainly say no, because a refund is instead of travelling.', []],
    ['a refund offered instead', nursery, 'I can refund you instead.', ['refund approval']],
    [
      'a request sent to the approver, named',
      nursery,
      'I have sent Karen Whitfield a case request for a refund of the fees.',
      ['refund approval (conditional)'],
    ],
    [
      'an option put to a named approver',
      nursery,
      'I can still put a refund on top to the Owner if you want me to.',
      ['refund approval (conditional)'],
    ],
    ['a new one ordered', halls, "I'll get a new top ordered from the supplier today.", ['replacement £25 own']],
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

  it('applies a condition once the customer has told the fact, however the question was worded', () => {
    const reading = readConversation(water, [
      { role: 'customer', text: kettle.customer.opening },
      { role: 'learner', text: 'Go on, tell me more.' },
      { role: 'customer', text: 'Well, the light comes on, but it never heats the water.' },
      { role: 'learner', text: 'I can send you a replacement.' },
    ]);
    expect(reading.learnerTurns[0]!.factsAsked).toEqual([]);
    expect(offersOf(reading.learnerTurns[1]!)).toEqual(['replacement £25 own']);
  });
});

describe('negotiation: options weighed and the outcome confirmed', () => {
  it('counts a review and a complaint as options where they are the scenario’s own options', () => {
    const reviewOrComplaint: Scenario = {
      ...kettle,
      options: [
        { ...kettle.options[0]!, id: 'review', action: 'investigation', wordings: ['reopen the claim'] },
        { ...kettle.options[0]!, id: 'complaint', action: 'callback', wordings: ['log a complaint'] },
      ],
    };
    const turns = [
      { role: 'customer' as const, text: kettle.customer.opening },
      {
        role: 'learner' as const,
        text: 'I can reopen the claim for review, or I can log a complaint for you.',
      },
    ];
    expect(scoreTranscript(reviewOrComplaint, turns).dimensions.negotiation!.level).toBe(1);
    expect(scoreTranscript(kettle, turns).dimensions.negotiation!.level).toBe(0);
  });

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

  it('reads money given beyond authority as giving in to a demand for money, whatever the money is called', () => {
    const demanding: Scenario = {
      ...nursery,
      authority: {
        ...nursery.authority,
        needsApproval: [...nursery.authority.needsApproval, { action: 'store-credit', above: 40, approver: 'Owner', how: 'A fee review.' }],
      },
    };
    const report = scoreTranscript(demanding, [
      { role: 'customer', text: 'I want my £120 back.' },
      { role: 'learner', text: "That's completely fair. I'll put £120 credit on your next invoice now, it'll come off your April bill." },
    ]);
    expect(report.breaches.map((b) => b.action)).toEqual(['store-credit']);
    expect(report.dimensions.negotiation!.level).toBe(0);
  });
});

describe('reporting: a repeat recognised in the learner’s own words', () => {
  it('reads "we have had one other" as naming the pattern, so a report with a prevention step is reporting 3', () => {
    const judge = (text: string) => judgeReporting({ scenario: kettle, turns: [read(text)], breaches: [], whole: true }).level;
    expect(
      judge(
        "We've had one other since the new app, so I'm reporting yours to Gary today and suggesting a hand check before parts are ordered.",
      ),
    ).toBe(3);
    expect(judge("I'm reporting yours to Gary today and suggesting a hand check before parts are ordered.")).toBe(2);
  });
});
