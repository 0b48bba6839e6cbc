import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../engine/rubric-library.ts';
import { play, resume } from './play-rehearsal.ts';
import { kettle } from './scenario-fixture.ts';

const shipped = await loadLibrary();
const byId = (id: string) => shipped.scenarios.find((s) => s.id === id)!;

describe('the scripted customer', () => {
  it("opens with the persona's opening line", async () => {
    expect((await play(kettle)).turns).toEqual([{ role: 'customer', text: kettle.customer.opening }]);
  });

  it('reveals a hidden fact only when asked about one of its topics', async () => {
    const r = await play(kettle);
    const small = await r.say('Right, okay.');
    expect(kettle.facts.flatMap((f) => f.says).some((line) => small.includes(line))).toBe(false);
    const asked = await r.say('What happens when you switch it on?');
    expect(asked).toContain('The light comes on but it never heats the water.');
    expect(r.customer.revealed).toEqual(['fault']);
  });

  it('tells its story when asked an open question, but keeps the cause for probing questions', async () => {
    const r = await play(kettle);
    expect(await r.say("What's been going on?")).toMatch(/ten days ago/i);
    expect(r.customer.revealed).toEqual(['bought-when']);
    await r.say('And what else can you tell me?');
    expect(r.customer.revealed).not.toContain('fault');
  });

  it('calms with empathy and gets angrier when told to calm down or blamed', async () => {
    const calmer = await play(kettle);
    await calmer.say("I'm so sorry, that's really frustrating after only ten days.");
    expect(calmer.customer.mood).toBe(kettle.customer.mood - 1);
    const angrier = await play(kettle);
    const reply = await angrier.say('Calm down, sir.');
    expect(angrier.customer.mood).toBe(kettle.customer.mood + 1);
    expect(reply).toMatch(/calm down/i);
    await angrier.say('You must have dropped it.');
    expect(angrier.customer.mood).toBe(4);
  });

  it('asks why when refused without a reason, and who else can help when given a reason but nowhere to go', async () => {
    const r = await play(kettle);
    expect(await r.say("No, I can't refund that.")).toMatch(/why/i);
    const scenario = byId('non-refundable-hotel-booking');
    const hotel = await play(scenario);
    const reply = await hotel.say("I'm sorry, I can't refund a non-refundable rate because of the terms you agreed when booking.");
    expect(hotel.ended).toBe(false);
    expect(scenario.lines.askWhoElse!.some((line) => reply.includes(typeof line === 'string' ? line : line.says))).toBe(true);
  });

  it('does not end the conversation on a greeting, or on a question about where else the customer has tried', async () => {
    const greeted = await play(kettle);
    await greeted.say("Thank you for contacting Brightwell. I'm sorry to hear about your kettle.");
    expect(greeted.ended).toBe(false);
    const asked = await play(byId('discontinued-spare-part'));
    await asked.say('Have you already tried the manufacturer?');
    expect(asked.ended).toBe(false);
  });

  it('pushes back on an option it is lukewarm about as often as the persona does, then accepts', async () => {
    const r = await play(kettle); // persistence 1; the refund option's reaction is "pushback"
    await r.say('I can give you a refund of £25 today, would you like that?');
    expect(r.customer.accepted).toBeUndefined();
    expect(r.customer.pushbacksLeft).toBe(0);
    await r.say('I understand. I can refund the £25 to your card right now. Shall I go ahead?');
    expect(r.customer.accepted).toBe('refund');
  });

  it('accepts an option it likes straight away, unless the persona is very persistent', async () => {
    const likes = await play(kettle); // the replacement option's reaction is "accept"
    await likes.say('I can replace it with the same model today, would you like that?');
    expect(likes.customer.accepted).toBe('replace');
    const stubborn = await play({ ...kettle, customer: { ...kettle.customer, persistence: 2 } });
    await stubborn.say('I can replace it with the same model today, would you like that?');
    expect(stubborn.customer.accepted).toBeUndefined();
  });

  it('ends when an accepted option is confirmed', async () => {
    const r = await play({ ...kettle, customer: { ...kettle.customer, persistence: 0 } });
    await r.say('I can replace it with the same model today, would you like that?');
    expect(r.ended).toBe(false);
    await r.say("Great, so to confirm I've swapped it for a new one now. Is there anything else?");
    expect(r.ended).toBe(true);
    expect(r.endReason).toBe('agreed');
  });

  it('ends on an escalation with a time, but not while the learner is still asking, nor once the decision is back', async () => {
    const asking = await play(kettle);
    await asking.say("That's more than I can authorise myself, so I'm asking the duty manager now.");
    await asking.say("While I wait, I'll email you the returns form by 5pm today. When did you buy it?");
    expect(asking.ended).toBe(false);
    await asking.say("I'll ring you back by 5pm today with her answer. Is there anything else I can help with?");
    expect(asking.ended).toBe(true);
    expect(asking.endReason).toBe('escalated');

    const decided = await play(kettle);
    await decided.say("That's more than I can authorise myself, so I'm asking the duty manager now.");
    await decided.say("She's said no, I'm afraid: we can't pay compensation, because it is only for repeat faults.");
    await decided.say("I'll email you the returns form by 5pm today.");
    expect(decided.endReason).not.toBe('escalated');
  });

  it('accepts a proper referral in a scenario that cannot be resolved, and ends once the learner closes', async () => {
    const scenario = byId('discontinued-spare-part');
    const r = await play(scenario);
    await r.say(
      "I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.",
    );
    // The learner may still say what happens next before the customer goes.
    expect(r.ended).toBe(false);
    expect(r.customer.closingWith).toBe('referred');
    await r.say("I'll email you the repairers' details by 5pm today. Is there anything else I can help with?");
    expect(r.ended).toBe(true);
    expect(r.endReason).toBe('referred');
  });

  it('never repeats itself when asked the same question again and again', async () => {
    for (const seed of ['a', 'b', 'f', 'g']) {
      const r = await play(kettle, seed);
      let last = '';
      for (let i = 0; i < 5; i++) {
        const reply = await r.say('What happens when you switch it on?');
        expect(reply, `seed ${seed}, ask ${i + 1}`).not.toBe(last);
        last = reply;
      }
    }
  });

  it('never says the same line twice in a row', async () => {
    const r = await play(kettle);
    let last = r.turns[0]!.text;
    for (let i = 0; i < 8; i++) {
      const reply = await r.say('Okay.');
      expect(reply).not.toBe(last);
      last = reply;
    }
  });

  it('is deterministic for a seed, and varies with the seed', async () => {
    const replies = async (seed: string) => {
      const r = await play(kettle, seed);
      const out: string[] = [];
      for (const line of ['Okay.', 'Hmm.', 'Right.', 'I see.']) out.push(await r.say(line));
      return out;
    };
    expect(await replies('a')).toEqual(await replies('a'));
    const seeds = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async (s) => (await replies(s)).join('|')));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('carries on exactly after being restored from its stored state', async () => {
    const lines = [
      "I'm sorry about that. What happens when you switch it on?",
      'I can replace it today, would you like that?',
      'Shall I go ahead with the replacement?',
    ];
    const straight = await play(kettle);
    const replies: string[] = [];
    for (const line of lines) replies.push(await straight.say(line));
    const first = await play(kettle);
    await first.say(lines[0]!);
    const restored = resume(kettle, JSON.parse(JSON.stringify(first.rehearsal.snapshot)), first.exchanges);
    expect([await restored.say(lines[1]!), await restored.say(lines[2]!)]).toEqual(replies.slice(1));
    expect(await restored.score()).toEqual(await straight.score());
  });

  it('refuses an empty reply and one over the size limit without losing the rehearsal', async () => {
    const r = await play(kettle);
    await expect(r.say('   ')).rejects.toThrow(RangeError);
    await expect(r.say('x'.repeat(1024 * 1024))).rejects.toThrow(/at most 8000 characters/);
    expect(r.turns).toHaveLength(1);
    expect(await r.say('What happens when you switch it on?')).toContain('never heats');
  });
});
