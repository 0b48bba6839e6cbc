import { describe, expect, it } from 'vitest';
import { readLearnerTurn, type LearnerTurn } from '../engine/learner-turn.ts';
import { readCustomerMessage } from '../engine/utterance.ts';
import { kettle } from './scenario-fixture.ts';

function read(text: string, earlier: LearnerTurn[] = [], customer = kettle.customer.opening): LearnerTurn {
  return readLearnerTurn(text, {
    scenario: kettle,
    turn: 2,
    previousCustomer: readCustomerMessage(customer),
    approvalSoughtEarlier: earlier.some((t) => t.approvalSought),
  });
}

describe('reading a learner turn', () => {
  it.each(['So you made it and the case didnt.', 'It wont. It cant. It isnt.', 'ok so the part didnt come, sorry!!'])(
    'reads informal spellings the language model gives no lemma for: "%s"',
    (text) => {
      // "didnt" before a full stop has no lemma in wink: a learner typing it once stopped the turn.
      expect(() => read(text)).not.toThrow();
      expect(() => readCustomerMessage(text)).not.toThrow();
    },
  );

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
    expect(turn.offers).toEqual([
      expect.objectContaining({ action: 'refund', amount: 25, conditional: false, route: { kind: 'own', upTo: 40 } }),
    ]);
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
    expect(read('This one will definitely work, I guarantee it.').offers.map((o) => [o.action, o.route.kind])).toEqual([
      ['guarantee', 'forbidden'],
    ]);
  });

  it('records commitments, with the time when one is given', () => {
    const turn = read("I'll ring you by 4pm tomorrow. Someone will be in touch soon.");
    expect(turn.commitments.map((c) => c.when)).toEqual(['by 4pm tomorrow']);
    expect(turn.moves.vaguePromise).toEqual(['Someone will be in touch soon.']);
  });

  it('infers what an amount is for from what the customer asked', () => {
    const turn = read("Fair enough, I'll put the £50 through for you today.", [], 'I want £50 compensation for my wasted morning.');
    expect(turn.offers).toEqual([
      expect.objectContaining({ action: 'goodwill-payment', amount: 50, route: expect.objectContaining({ kind: 'approval' }) }),
    ]);
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

  it("reads reflecting back the customer's own words", () => {
    expect(read('So the kettle packed in after only ten days and you want it sorted today.').moves.reflect).toHaveLength(1);
  });
});

describe('everyday advisor phrasing is read as meant', () => {
  const offers = (text: string, earlier: LearnerTurn[] = []) =>
    read(text, earlier).offers.map((o) => [o.action, o.amount ?? null, o.route.kind]);

  it('expands "I\'m" as wink-nlp leaves it joined', () => {
    const turn = read("I'm going to replace it today. I'm so sorry.");
    expect(turn.offers.map((o) => o.action)).toEqual(['replacement']);
    expect(turn.commitments).toHaveLength(1);
    expect(turn.moves.apologise).toHaveLength(1);
  });

  it('keeps British spellings for matching', () => {
    expect(read("It's quicker for you, but it costs more for the organisation.").moves.prosConsOrganisation).toHaveLength(1);
  });

  it('reads an amount offered for the trouble, and the amount given rather than the price paid', () => {
    expect(offers("I'll give you £30 for the trouble.")).toEqual([['goodwill-payment', 30, 'approval']]);
    expect(offers('Out of the £60 you paid, I can refund £25 today.')).toEqual([['refund', 25, 'own']]);
  });

  it('keeps an offer made in the same sentence as a refusal', () => {
    const turn = read("I can't repair it, but I can replace it today.");
    expect(turn.refusals.map((r) => r.action)).toEqual(['repair']);
    expect(turn.offers.map((o) => o.action)).toEqual(['replacement']);
    expect(read("Since you were unable to use it, I'll refund you £25.").offers.map((o) => o.action)).toEqual(['refund']);
  });

  it.each([
    "I'll transfer you to our returns team.",
    'You can call Citizens Advice, their number is 0808 223 1133.',
    "I'll book it for the morning so you don't miss the engineer today.",
    "Mr Ellis, I'll call you back today.",
    "You're 100% right to be annoyed.",
    "I'll look into why your refund hasn't arrived.",
  ])('reads no breach-worthy offer in "%s"', (text) => {
    expect(offers(text).filter(([, , route]) => route !== 'own')).toEqual([]);
  });

  it('does not read "if it happens again, ring me" as dismissive', () => {
    expect(read('If it happens again, ring me directly.').moves.dismiss).toBeUndefined();
  });

  it('counts approval only when sought before the offer, and only from someone with authority', () => {
    const checking = read("I'll need to check your receipt.");
    expect(checking.approvalSought).toBe(false);
    expect(read("I'll pay you £30 compensation now.", [checking]).offers[0]).toMatchObject({ afterApproval: false });
    const afterwards = read("I'll pay you £30 compensation now. I'll check with my manager afterwards.");
    expect(afterwards.offers[0]).toMatchObject({ action: 'goodwill-payment', afterApproval: false });
    const first = read("I'll check with the duty manager first. They've agreed, so I'll pay you £30 compensation now.");
    expect(first.offers[0]).toMatchObject({ action: 'goodwill-payment', afterApproval: true });
  });
});

describe('saying yes to what the customer asked for', () => {
  const answer = (customer: string, learner: string) =>
    readLearnerTurn(learner, {
      scenario: kettle,
      turn: 4,
      previousCustomer: readCustomerMessage(customer),
      approvalSoughtEarlier: false,
    }).offers.map((o) => [o.action, o.route.kind]);

  it('offers what was asked, though no action is named', () => {
    expect(answer("Can you guarantee the new one won't break?", 'Yes, of course.')).toEqual([['guarantee', 'forbidden']]);
    expect(answer('I want £20 compensation for my trouble.', 'No problem, leave it with me.')).toEqual([['goodwill-payment', 'approval']]);
    expect(answer('Can you give me a refund?', "Yes, I can do that, it's within 30 days.")).toEqual([['refund', 'own']]);
  });

  it('is not an offer when the yes answers with content of its own, or nothing was asked', () => {
    expect(answer('Is the replacement free?', 'Yes, replacements are free within 30 days.')).toEqual([]);
    expect(answer('It broke after ten days.', 'Yes, that happens sometimes.')).toEqual([]);
  });
});

describe('offers made in everyday words', () => {
  it('reads "if we can\'t…, we\'ll…" as a promise with a condition, not a refusal', () => {
    const turn = read("If we can't fix it, we'll replace the kettle for you.");
    expect(turn.refusals).toEqual([]);
    expect(turn.offers.map((o) => o.action)).toContain('replacement');
  });

  it("reads someone else's decision told as settled as an offer of it", () => {
    const turn = read("I can't do that here, but head office'll give you your full money back, easy.");
    expect(turn.offers).toEqual([expect.objectContaining({ action: 'refund', conditional: false })]);
  });

  it("leaves the decision open when the learner says it is someone else's to make", () => {
    expect(read('The duty manager will decide whether a refund is possible.').offers).toEqual([]);
  });

  it('reads amounts written in words', () => {
    expect(read("Go on then, I'll put forty quid through for your trouble.", [], 'I want compensation.').offers[0]).toMatchObject({
      action: 'goodwill-payment',
      amount: 40,
    });
  });

  it('counts whatever is offered with "between you and me" as offered outright', () => {
    const turn = read("Between you and me, you'll get £20 for the trouble, no promises.");
    expect(turn.moves.overstep).toHaveLength(1);
    expect(turn.offers.every((o) => !o.conditional)).toBe(true);
  });

  it('does not read stating a limit, or seeking approval, as overstepping it', () => {
    expect(read("I'm not allowed to give that advice, sorry.").moves.overstep).toBeUndefined();
    expect(read("I'm not allowed to refund that much, but I can ask the duty manager for you.").moves.overstep).toBeUndefined();
    expect(read('Let me check the emails between us and the courier.').moves.overstep).toBeUndefined();
  });

  it('keeps options named but not offered apart from offers', () => {
    const turn = read('A replacement is one possibility, depending on stock.');
    expect(turn.offers).toEqual([]);
    expect(turn.mentioned).toEqual(['replacement']);
  });
});

describe('ordinary service language that offers nothing', () => {
  const actions = (text: string) => read(text).offers.map((o) => o.action);

  it.each([
    'That would certainly be frustrating, I am so sorry.',
    'I will certainly get back to you by 4pm today.',
    'No one will refund you for that, I am afraid.',
    'We can take it off your hands and send it back to the supplier.',
    'I can move your payment back a week if that helps.',
  ])('"%s"', (text) => {
    expect(actions(text).filter((a) => a !== 'callback')).toEqual([]);
  });

  it('keeps what a negative condition names off the table, and a refusal after it a refusal', () => {
    expect(actions('If it is not possible to refund you, I can give you a voucher.')).toEqual(['store-credit']);
    const refused = read('If we do not have one in stock, there is nothing I can do about a replacement.');
    expect(refused.offers).toEqual([]);
    expect(refused.refusals.map((r) => r.action)).toEqual(['replacement']);
  });

  it("does not count a rule or the customer's own wish as an option mentioned", () => {
    expect(read('Our policy is that refunds are only given within 30 days of purchase.').mentioned).toEqual([]);
    expect(read('So you would like a refund.').mentioned).toEqual([]);
  });
});
