/**
 * The conversation, driven through botbuilder's TestAdapter: welcome, picking a scenario, the
 * rehearsal, hints in practice mode only, ending, the debrief card, the reflection and history.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadLibrary } from '../engine/rubric-library.ts';
import { createBot } from '../bot/create-bot.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';

const library = await loadLibrary();
const SCENARIO = 'faulty-washing-machine';

let evidence: MemoryEvidenceStore;
let state: MemoryKeyValueStore;

function conversation(user = 'learner-1') {
  const bot = createBot({ library, state, evidence });
  const adapter = new TestAdapter(async (context) => bot.run(context));
  adapter.conversation.user = { id: user, name: 'Sam' };
  const replies: Partial<Activity>[] = [];
  /** Sends a message (or card value) and returns the bot's replies to it. */
  const say = async (text: string | { value: unknown }) => {
    const before = replies.length;
    const activity = typeof text === 'string' ? { type: 'message', text } : { type: 'message', value: text.value };
    await adapter.send(activity as Partial<Activity>).startTest();
    // TestAdapter queues replies; drain them.
    while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
    return replies.slice(before);
  };
  return { adapter, say };
}

const texts = (activities: Partial<Activity>[]) => activities.filter((a) => a.type === 'message' && a.text).map((a) => a.text!);
const cards = (activities: Partial<Activity>[]) => activities.flatMap((a) => (a.attachments ?? []).map((x) => x.content as { body: unknown[] }));

beforeEach(() => {
  evidence = new MemoryEvidenceStore();
  state = new MemoryKeyValueStore();
});

describe('the bot conversation', () => {
  it('welcomes a new learner with what this is, how scoring works and a scenario picker', async () => {
    const { say } = conversation();
    const replies = await say('hello');
    expect(texts(replies)[0]).toMatch(/Welcome to ServiceSim/);
    expect(texts(replies)[0]).toMatch(/level 0–3/);
    expect(JSON.stringify(cards(replies)[0])).toContain('"scenarioId":"faulty-washing-machine"');
  });

  it('filters the picker by problem type and difficulty', async () => {
    const { say } = conversation();
    await say('hello');
    const replies = await say({ value: { action: 'pick', problemType: 'system-failure', difficulty: 'any' } });
    const card = JSON.stringify(cards(replies)[0]);
    const matching = library.scenarios.filter((s) => s.problemType === 'system-failure');
    expect(matching.length).toBeGreaterThan(0);
    for (const s of library.scenarios) expect(card.includes(`"scenarioId":"${s.id}"`)).toBe(s.problemType === 'system-failure');
  });

  it('rehearses from a card, with hints in practice mode, then debriefs, stores the evidence and the reflection', async () => {
    const { say } = conversation();
    await say('hello');
    const started = await say({ value: { action: 'start', scenarioId: SCENARIO } });
    const scenario = library.scenarios.find((s) => s.id === SCENARIO)!;
    expect(JSON.stringify(cards(started)[0])).toContain(scenario.title);
    expect(texts(started)).toContain(scenario.customer.opening.trim());

    const weak = await say('Calm down, you probably overloaded it.');
    expect(weak.some((a) => a.type === 'typing')).toBe(true);
    expect(texts(weak).some((t) => /Coaching \(defusing\)/.test(t))).toBe(true);

    const good = await say("I'm really sorry, that sounds so frustrating. Can you tell me what happened when it started leaking?");
    expect(texts(good).some((t) => /Coaching/.test(t))).toBe(false);

    const promised = await say('Honestly, I guarantee it will never happen again.');
    expect(texts(promised).some((t) => /Coaching \(authority\)/.test(t))).toBe(true);

    const ended = await say('end');
    const debrief = JSON.stringify(cards(ended)[0]);
    expect(debrief).toContain('Debrief');
    expect(debrief).toMatch(/Listening/);
    expect(debrief).toMatch(/Evidences CS17/);
    expect(debrief).toContain('Calm down, you probably overloaded it.');
    expect(debrief).toContain('Beyond your authority');
    expect(debrief).toContain('I guarantee it will never happen again.');
    expect(texts(ended).some((t) => /what went well/i.test(t))).toBe(true);

    const [record] = await evidence.listFor('test/learner-1');
    expect(record).toMatchObject({ scenario: { id: SCENARIO }, mode: 'practice', learner: { id: 'test/learner-1' } });
    expect(record!.turns.filter((t) => t.role === 'learner')).toHaveLength(3);
    expect((record!.report as { breaches: unknown[] }).breaches).toHaveLength(1);

    const thanked = await say('I should not have blamed him; next time I would ask questions first.');
    expect(texts(thanked).join(' ')).toMatch(/reflection is saved/);
    expect((await evidence.get(record!.id))?.reflection).toBe('I should not have blamed him; next time I would ask questions first.');
  });

  it('gives no hints in assessment mode', async () => {
    const { say } = conversation();
    await say('hello');
    expect(texts(await say('mode assessment')).join(' ')).toMatch(/Assessment mode/);
    await say(`start ${SCENARIO}`);
    const weak = await say('Calm down, you probably overloaded it.');
    expect(texts(weak).some((t) => /Coaching/.test(t))).toBe(false);
    await say('end');
    expect((await evidence.listFor('test/learner-1'))[0]?.mode).toBe('assessment');
  });

  it('shows a learner only their own history', async () => {
    const first = conversation('learner-1');
    await first.say('hello');
    await first.say(`start ${SCENARIO}`);
    await first.say("I'm sorry about that. What happened?");
    await first.say('end');
    const other = conversation('learner-2');
    await other.say('hello');
    expect(texts(await other.say('history')).join(' ')).toMatch(/no rehearsals yet/);
    const mine = texts(await first.say('history')).join(' ');
    expect(mine).toContain(library.scenarios.find((s) => s.id === SCENARIO)!.title);
  });

  it('answers an out-of-date card, a broken card and an unknown scenario politely', async () => {
    const { say } = conversation();
    await say('hello');
    expect(texts(await say({ value: { action: 'end', rehearsalId: 'long-gone' } })).join(' ')).toMatch(/already ended/);
    expect(texts(await say({ value: { action: 'start' } })).join(' ')).toMatch(/could not read that card/);
    expect(texts(await say('start no-such-scenario')).join(' ')).toMatch(/no scenario "no-such-scenario"/);
  });

  it('refuses a 1 MB message politely and keeps the rehearsal going', async () => {
    const { say } = conversation();
    await say('hello');
    await say(`start ${SCENARIO}`);
    expect(texts(await say('x'.repeat(1_000_000))).join(' ')).toMatch(/too long/);
    const reply = await say('Sorry to hear that. What happened?');
    expect(texts(reply).length).toBeGreaterThan(0);
  });

  it('carries on the same rehearsal after a restart, from the stored state', async () => {
    const first = conversation();
    await first.say('hello');
    await first.say(`start ${SCENARIO}`);
    await first.say("I'm so sorry. When did it start leaking?");
    // A new bot over the same stores is a restarted process.
    const restarted = conversation();
    await restarted.say("Thanks. And what happened when the engineer came?");
    await restarted.say('end');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
      "I'm so sorry. When did it start leaking?",
      'Thanks. And what happened when the engineer came?',
    ]);
  });
});

describe('the customer ending the rehearsal', () => {
  it('debriefs when the learner refers the customer properly in a scenario that cannot be resolved', async () => {
    const { say } = conversation();
    await say('hello');
    await say('start discontinued-spare-part');
    const replies = await say("I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.");
    expect(JSON.stringify(cards(replies))).toContain('Debrief');
    expect(JSON.stringify(cards(replies))).toContain('The customer accepted your referral.');
    expect(await evidence.listFor('test/learner-1')).toHaveLength(1);
  });
});

describe('a failure while the evidence is saved', () => {
  it('finishes the rehearsal on the next message once the store works again, losing nothing', async () => {
    class FailingOnce extends MemoryEvidenceStore {
      failNext = true;
      override async save(record: Parameters<MemoryEvidenceStore['save']>[0]) {
        if (this.failNext) {
          this.failNext = false;
          throw new Error('disk full');
        }
        return super.save(record);
      }
    }
    evidence = new FailingOnce();
    const { say } = conversation();
    await say('hello');
    await say('start discontinued-spare-part');
    await expect(say("I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.")).rejects.toThrow(/disk full/);
    const replies = await say('Hello?');
    expect(JSON.stringify(cards(replies))).toContain('The customer accepted your referral.');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner')).toHaveLength(1);
  });
});
