import { describe, expect, it } from 'vitest';
import { Rehearsal } from '../engine/rehearsal.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { kettle } from './scenario-fixture.ts';

const shipped = await loadLibrary();
const byId = (id: string) => shipped.scenarios.find((s) => s.id === id)!;

describe('the scripted customer', () => {
  it('opens with the persona\'s opening line', () => {
    expect(Rehearsal.start(kettle).turns).toEqual([{ role: 'customer', text: kettle.customer.opening }]);
  });

  it('reveals a hidden fact only when asked about one of its topics', () => {
    const r = Rehearsal.start(kettle);
    const small = r.learnerSays('Right, okay.');
    expect(kettle.facts.flatMap((f) => f.says).some((line) => small.includes(line))).toBe(false);
    const asked = r.learnerSays('What happens when you switch it on?');
    expect(asked).toContain('The light comes on but it never heats the water.');
    expect(r.snapshot.customer.revealed).toEqual(['fault']);
  });

  it('tells its story when asked an open question, but keeps the cause for probing questions', () => {
    const r = Rehearsal.start(kettle);
    expect(r.learnerSays("What's been going on?")).toMatch(/ten days ago/i);
    expect(r.snapshot.customer.revealed).toEqual(['bought-when']);
    r.learnerSays('And what else can you tell me?');
    expect(r.snapshot.customer.revealed).not.toContain('fault');
  });

  it('calms with empathy and gets angrier when told to calm down or blamed', () => {
    const calmer = Rehearsal.start(kettle);
    calmer.learnerSays("I'm so sorry, that's really frustrating after only ten days.");
    expect(calmer.snapshot.customer.mood).toBe(kettle.customer.mood - 1);
    const angrier = Rehearsal.start(kettle);
    const reply = angrier.learnerSays('Calm down, sir.');
    expect(angrier.snapshot.customer.mood).toBe(kettle.customer.mood + 1);
    expect(reply).toMatch(/calm down/i);
    angrier.learnerSays('You must have dropped it.');
    expect(angrier.snapshot.customer.mood).toBe(4);
  });

  it('asks why when refused without a reason, and who else can help when given a reason but nowhere to go', () => {
    const r = Rehearsal.start(kettle);
    expect(r.learnerSays("No, I can't refund that.")).toMatch(/why/i);
    const scenario = byId('non-refundable-hotel-booking');
    const hotel = Rehearsal.start(scenario);
    const reply = hotel.learnerSays("I'm sorry, I can't refund a non-refundable rate because of the terms you agreed when booking.");
    expect(hotel.ended).toBe(false);
    expect(scenario.lines.askWhoElse!.some((line) => reply.includes(line))).toBe(true);
  });

  it('does not end the conversation on a greeting, or on a question about where else the customer has tried', () => {
    const greeted = Rehearsal.start(kettle);
    greeted.learnerSays("Thank you for contacting Brightwell. I'm sorry to hear about your kettle.");
    expect(greeted.ended).toBe(false);
    const asked = Rehearsal.start(byId('discontinued-spare-part'));
    asked.learnerSays('Have you already tried the manufacturer?');
    expect(asked.ended).toBe(false);
  });

  it('pushes back on an option it is lukewarm about as often as the persona does, then accepts', () => {
    const r = Rehearsal.start(kettle); // persistence 1; the refund option's reaction is "pushback"
    r.learnerSays('I can give you a refund of £25 today, would you like that?');
    expect(r.snapshot.customer.accepted).toBeUndefined();
    expect(r.snapshot.customer.pushbacksLeft).toBe(0);
    r.learnerSays('I understand. I can refund the £25 to your card right now. Shall I go ahead?');
    expect(r.snapshot.customer.accepted).toBe('refund');
  });

  it('accepts an option it likes straight away, unless the persona is very persistent', () => {
    const likes = Rehearsal.start(kettle); // the replacement option's reaction is "accept"
    likes.learnerSays('I can replace it with the same model today, would you like that?');
    expect(likes.snapshot.customer.accepted).toBe('replace');
    const stubborn = Rehearsal.start({ ...kettle, customer: { ...kettle.customer, persistence: 2 } });
    stubborn.learnerSays('I can replace it with the same model today, would you like that?');
    expect(stubborn.snapshot.customer.accepted).toBeUndefined();
  });

  it('ends when an accepted option is confirmed', () => {
    const r = Rehearsal.start({ ...kettle, customer: { ...kettle.customer, persistence: 0 } });
    r.learnerSays('I can replace it with the same model today, would you like that?');
    expect(r.ended).toBe(false);
    r.learnerSays("Great, so to confirm I've swapped it for a new one now. Is there anything else?");
    expect(r.ended).toBe(true);
    expect(r.endReason).toBe('agreed');
  });

  it('ends on an escalation with a time, but not while the learner is still asking, nor once the decision is back', () => {
    const asking = Rehearsal.start(kettle);
    asking.learnerSays("That's more than I can authorise myself, so I'm asking the duty manager now.");
    asking.learnerSays("While I wait, I'll email you the returns form by 5pm today. When did you buy it?");
    expect(asking.ended).toBe(false);
    asking.learnerSays("I'll ring you back by 5pm today with her answer. Is there anything else I can help with?");
    expect(asking.ended).toBe(true);
    expect(asking.endReason).toBe('escalated');

    const decided = Rehearsal.start(kettle);
    decided.learnerSays("That's more than I can authorise myself, so I'm asking the duty manager now.");
    decided.learnerSays("She's said no, I'm afraid: we can't pay compensation, because it is only for repeat faults.");
    decided.learnerSays("I'll email you the returns form by 5pm today.");
    expect(decided.endReason).not.toBe('escalated');
  });

  it('ends when the learner refers the customer properly in a scenario that cannot be resolved', () => {
    const scenario = byId('discontinued-spare-part');
    const r = Rehearsal.start(scenario);
    r.learnerSays("I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.");
    expect(r.ended).toBe(true);
    expect(r.endReason).toBe('referred');
  });

  it('never repeats itself when asked the same question again and again', () => {
    for (const seed of ['a', 'b', 'f', 'g']) {
      const r = Rehearsal.start(kettle, seed);
      let last = '';
      for (let i = 0; i < 5; i++) {
        const reply = r.learnerSays('What happens when you switch it on?');
        expect(reply, `seed ${seed}, ask ${i + 1}`).not.toBe(last);
        last = reply;
      }
    }
  });

  it('never says the same line twice in a row', () => {
    const r = Rehearsal.start(kettle);
    let last = r.turns[0]!.text;
    for (let i = 0; i < 8; i++) {
      const reply = r.learnerSays('Okay.');
      expect(reply).not.toBe(last);
      last = reply;
    }
  });

  it('is deterministic for a seed, and varies with the seed', () => {
    const play = (seed: string) => {
      const r = Rehearsal.start(kettle, seed);
      return ['Okay.', 'Hmm.', 'Right.', 'I see.'].map((line) => r.learnerSays(line));
    };
    expect(play('a')).toEqual(play('a'));
    const seeds = ['a', 'b', 'c', 'd', 'e'].map((s) => play(s).join('|'));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('carries on exactly after being restored from its stored state', () => {
    const lines = ["I'm sorry about that. What happens when you switch it on?", 'I can replace it today, would you like that?', 'Shall I go ahead with the replacement?'];
    const straight = Rehearsal.start(kettle);
    const replies = lines.map((l) => straight.learnerSays(l));
    const first = Rehearsal.start(kettle);
    first.learnerSays(lines[0]!);
    const restored = Rehearsal.restore(kettle, JSON.parse(JSON.stringify(first.snapshot)));
    expect([restored.learnerSays(lines[1]!), restored.learnerSays(lines[2]!)]).toEqual(replies.slice(1));
    expect(restored.score()).toEqual(straight.score());
  });

  it('refuses an empty reply and one over the size limit without losing the rehearsal', () => {
    const r = Rehearsal.start(kettle);
    expect(() => r.learnerSays('   ')).toThrow(RangeError);
    expect(() => r.learnerSays('x'.repeat(1024 * 1024))).toThrow(/at most 8000 characters/);
    expect(r.turns).toHaveLength(1);
    expect(r.learnerSays('What happens when you switch it on?')).toContain('never heats');
  });
});
