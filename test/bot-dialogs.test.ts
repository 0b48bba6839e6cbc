/**
 * The conversation, driven through botbuilder's TestAdapter: welcome, picking a scenario, the
 * rehearsal, hints in practice mode only, ending, the debrief card, the reflection and history.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadLibrary } from '../engine/rubric-library.ts';
import { createBot } from '../bot/create-bot.ts';
import { typingIndicator } from '../bot/typing-indicator.ts';
import { createMockCustomer } from '../engine/mock-customer.ts';
import { createMockScorer } from '../engine/mock-scorer.ts';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { StoreUnavailableError, writeAll, type KeyValueStore } from '../store/key-value-store.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';

const library = await loadLibrary();
const SCENARIO = 'faulty-washing-machine';

let evidence: MemoryEvidenceStore;
let state: MemoryKeyValueStore;

function conversation(user = 'learner-1', parts?: RehearsalParts) {
  const bot = createBot({ library, state, evidence, ...(parts ? { parts } : {}) });
  const adapter = new TestAdapter(async (context) => bot.run(context));
  // As the server sets it up, with a shorter wait so a slow customer takes milliseconds, not seconds.
  adapter.use(typingIndicator(50));
  adapter.conversation.user = { id: user, name: 'Sam' };
  const replies: Partial<Activity>[] = [];
  /** Sends a message (or card value) and returns the bot's replies to it. */
  const say = async (text: string | { value: unknown }) => {
    const before = replies.length;
    const activity = typeof text === 'string' ? { type: 'message', text } : { type: 'message', value: text.value };
    try {
      await adapter.send(activity as Partial<Activity>).startTest();
    } finally {
      // TestAdapter queues replies; drain them, even from a turn that failed, so they are not taken for the next turn's.
      while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
    }
    return replies.slice(before);
  };
  return { adapter, say, replies };
}

const texts = (activities: Partial<Activity>[]) => activities.filter((a) => a.type === 'message' && a.text).map((a) => a.text!);
/** Coaching hints, which come in a card of their own: the card's heading and hint. */
const hints = (activities: Partial<Activity>[]) =>
  activities.flatMap((a) => (a.attachments ?? []).map((x) => JSON.stringify(x.content))).filter((card) => card.includes('Coaching ('));
const cards = (activities: Partial<Activity>[]) =>
  activities.flatMap((a) => (a.attachments ?? []).map((x) => x.content as { body: unknown[] }));

/**
 * Rewrites the stored state of the test conversation's rehearsal through the store, as another
 * version of ServiceSim would have left it.
 */
async function rewriteStoredRehearsal(change: (dialog: Record<string, unknown>) => void): Promise<void> {
  const key = 'test/conversations/Convo1/';
  const item = (await state.read([key]))[key]!;
  const value = item.value as { dialogState: { dialogStack: Array<{ state: Record<string, unknown> }> } };
  change(value.dialogState.dialogStack[0]!.state);
  await writeAll(state, [{ key, value, eTag: item.eTag }]);
}

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
    expect(hints(weak).some((t) => /Coaching \(defusing\)/.test(t))).toBe(true);
    // Apart from the customer's words: no hint is a plain message.
    expect(texts(weak).some((t) => /Coaching/.test(t))).toBe(false);

    const good = await say("I'm really sorry, that sounds so frustrating. Can you tell me what happened when it started leaking?");
    expect(hints(good)).toEqual([]);

    const promised = await say('Honestly, I guarantee it will never happen again.');
    expect(hints(promised).some((t) => /Coaching \(authority\)/.test(t))).toBe(true);

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
    expect(record!.report.breaches).toHaveLength(1);
    expect(record).toMatchObject({ schemaVersion: 2, customer: { id: 'scripted-customer' }, scorer: { id: 'rules-scorer' } });
    expect(record!.sources?.scenario).toMatch(/^[0-9a-f]{64}$/);
    expect(
      record!.turns
        .filter((t) => t.role === 'customer')
        .slice(1)
        .every((t) => typeof t.mood === 'number'),
    ).toBe(true);

    const thanked = await say('I should not have blamed him; next time I would ask questions first.');
    expect(texts(thanked).join(' ')).toMatch(/reflection is saved/);
    expect((await evidence.get(record!.id))?.reflection).toBe('I should not have blamed him; next time I would ask questions first.');
    // Opened again from the history, the debrief carries the reflection as written (never read as markdown).
    const reopened = JSON.stringify(cards(await say('history 1'))[0]);
    expect(reopened).toContain('Your reflection');
    expect(reopened).toContain('I should not have blamed him; next time I would ask questions first.');
    const history = await say('history');
    expect(texts(history)[0]).toMatch(/^Your rehearsal so far:/);
  });

  it('greets a new conversation once, and answers a message with the welcome even where the conversation was greeted', async () => {
    const { say } = conversation();
    expect(texts(await say('hello')).join(' ')).toMatch(/Welcome to ServiceSim/);
    // The learner's profile is lost (the user state expired), the conversation's greeting kept.
    await state.delete(['test/users/learner-1/']);
    expect(texts(await say('hello again')).join(' ')).toMatch(/Welcome to ServiceSim/);
  });

  it('skips the reflection when the learner says skip, saving none, and offers the button for it', async () => {
    const { say } = conversation();
    await say('hello');
    await say({ value: { action: 'start', scenarioId: SCENARIO } });
    await say("I'm really sorry. Can you tell me what happened when it started leaking?");
    const ended = await say('end');
    const asked = ended.find((a) => /what went well/i.test(a.text ?? ''));
    expect(asked?.suggestedActions?.actions.map((a) => a.title)).toEqual(['Skip']);
    const skipped = await say('Skip');
    expect(texts(skipped).join(' ')).toMatch(/No reflection saved/);
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.reflection).toBeUndefined();
  });

  it('shows each scenario’s id beside its title in the picker, as the welcome says to type it', async () => {
    const { say } = conversation();
    const replies = await say('scenarios');
    const card = JSON.stringify(cards(replies)[0]);
    const scenario = library.scenarios.find((s) => s.id === SCENARIO)!;
    expect(card).toContain(`${scenario.title} (${SCENARIO})`);
  });

  it('gives no hints in assessment mode', async () => {
    const { say } = conversation();
    await say('hello');
    expect(texts(await say('mode assessment')).join(' ')).toMatch(/Assessment mode/);
    await say(`start ${SCENARIO}`);
    const weak = await say('Calm down, you probably overloaded it.');
    expect(hints(weak)).toEqual([]);
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

  it('lists history as a card the learner can open, with progress on a repeated scenario, and opens only their own', async () => {
    const first = conversation('learner-1');
    await first.say('hello');
    for (const line of ['What happened?', "I'm so sorry, that sounds stressful. Can you tell me what happened when it started leaking?"]) {
      await first.say(`start ${SCENARIO}`);
      await first.say(line);
      await first.say('end');
      await first.say('skip');
    }
    const history = await first.say('history');
    const card = cards(history)[0]!;
    const json = JSON.stringify(card);
    const [newest, older] = await evidence.listFor('test/learner-1');
    expect(json).toContain(`"recordId":"${newest!.id}"`);
    expect(json).toContain(`"recordId":"${older!.id}"`);
    expect(json).toMatch(/Attempt \d+ of this scenario: (?:(?:up|down) \d+ levels? on the last|level with the last)/);
    expect(texts(history).join(' ')).toMatch(/Attempt \d+ of this scenario/);

    const opened = await first.say({ value: { action: 'open', recordId: older!.id } });
    expect(JSON.stringify(cards(opened)[0])).toContain('Debrief:');
    expect(JSON.stringify(cards(opened)[0])).toContain('What happened?');

    // Another learner pressing a copy of the button sees nothing of it.
    const other = conversation('learner-2');
    await other.say('hello');
    const refused = await other.say({ value: { action: 'open', recordId: older!.id } });
    expect(cards(refused)).toEqual([]);
    expect(texts(refused).join(' ')).toMatch(/not in your history/);
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
    expect(JSON.stringify(cards(await say('end')))).toContain('Debrief');
    const [record] = await evidence.listFor('test/learner-1');
    const learnerAt = record!.turns.findIndex((t) => t.role === 'learner');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual(['Sorry to hear that. What happened?']);
    expect(record!.turns[learnerAt + 1]).toMatchObject({ role: 'customer', text: texts(reply)[0] });
  });

  it('carries on the same rehearsal after a restart, from the stored state', async () => {
    const first = conversation();
    await first.say('hello');
    await first.say(`start ${SCENARIO}`);
    await first.say("I'm so sorry. When did it start leaking?");
    // A new bot over the same stores is a restarted process.
    const restarted = conversation();
    await restarted.say('Thanks. And what happened when the engineer came?');
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
    await say(
      "I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.",
    );
    // The customer accepts the referral and waits for the learner to close, so they can still say what happens next.
    const replies = await say('Is there anything else I can help with?');
    expect(JSON.stringify(cards(replies))).toContain('Debrief');
    expect(JSON.stringify(cards(replies))).toContain('The customer accepted your referral.');
    expect(await evidence.listFor('test/learner-1')).toHaveLength(1);
  });
});

describe('a turn lost from storage', () => {
  it('debriefs on the turns that are left, says which is missing, and keeps every other turn at its number', async () => {
    const { say } = conversation();
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say("I'm so sorry. When did it start leaking?");
    await say('Honestly, I guarantee it will never happen again.');
    const items = (state as unknown as { items: Map<string, unknown> }).items;
    const lost = [...items.keys()].find((key) => /^rehearsal\/.+\/2$/.test(key))!;
    items.delete(lost);
    const ended = await say('end');
    expect(texts(ended).join(' ')).toMatch(/could not be read back from storage \(turn 2\)/);
    expect(JSON.stringify(cards(ended)[0])).toContain('Debrief');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns[1]!.text).toMatch(/could not be read back/);
    expect(record!.turns[3]!.text).toBe('Honestly, I guarantee it will never happen again.');
    expect(record!.report.breaches.map((b) => b.turn)).toEqual([4]);
    expect(record!.missingTurns).toEqual([2]);
  });
});

describe('a reply the channel does not take', () => {
  it('takes the turn back when the channel refuses the reply, so the learner sends it again and the evidence holds it once', async () => {
    const { adapter, say } = conversation();
    let refuse = false;
    adapter.use(async (context, next) => {
      context.onSendActivities(async (_context, activities, send) => {
        if (refuse && activities.some((a) => a.type === 'message' && a.text && !/Sorry, something went wrong/.test(a.text))) {
          refuse = false;
          throw Object.assign(new Error('connector unavailable'), { statusCode: 503 });
        }
        return send();
      });
      await next();
    });
    await say('hello');
    await say(`start ${SCENARIO}`);
    refuse = true;
    await say("I'm so sorry. When did it start leaking?").catch(() => undefined);
    const again = await say("I'm so sorry. When did it start leaking?");
    expect(texts(again).length).toBeGreaterThan(0);
    await say('end');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual(["I'm so sorry. When did it start leaking?"]);
    expect(record!.turns.at(-1)).toMatchObject({ role: 'customer', text: texts(again)[0] });
  });
});

describe('deliveries that fail or may have failed', () => {
  function refusing(adapter: TestAdapter, refuse: (activities: Partial<Activity>[]) => boolean, error: () => Error) {
    let armed = false;
    adapter.use(async (context, next) => {
      context.onSendActivities(async (_context, activities, send) => {
        if (armed && refuse(activities)) {
          armed = false;
          throw error();
        }
        return send();
      });
      await next();
    });
    return () => (armed = true);
  }

  it('lets a turn stand when its reply timed out, since it may have arrived, and brings its answer with the next message', async () => {
    const { adapter, say } = conversation();
    const arm = refusing(
      adapter,
      (a) => a.some((x) => x.type === 'message' && !!x.text && !/Sorry/.test(x.text)),
      () => new Error('timed out'),
    );
    await say('hello');
    await say(`start ${SCENARIO}`);
    arm();
    await say("I'm so sorry. When did it start leaking?").catch(() => undefined);
    // Written without the customer's answer: the answer comes now, and this message is not taken.
    const next = texts(await say('And what happened when the engineer came?'));
    expect(next).toHaveLength(2);
    expect(next[1]).toMatch(/did not reach you in time.*not passed on/);
    await say('And what happened when the engineer came?');
    await say('end');
    const [record] = await evidence.listFor('test/learner-1');
    const turns = record!.turns;
    expect(turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
      "I'm so sorry. When did it start leaking?",
      'And what happened when the engineer came?',
    ]);
    expect(turns[2]!.text).toBe(next[0]);
  });

  it('carries on, taking nothing twice, when only the coaching hint after the answer is refused', async () => {
    const { adapter, say } = conversation();
    const arm = refusing(
      adapter,
      (a) => a.some((x) => x.text?.startsWith('💡')),
      () => Object.assign(new Error('too many requests'), { statusCode: 429 }),
    );
    await say('hello');
    await say(`start ${SCENARIO}`);
    arm();
    const weak = texts(await say('Calm down, you probably overloaded it.'));
    expect(weak).toHaveLength(1);
    const next = texts(await say('Sorry, that came out wrong. When did it start leaking?'));
    expect(next.join(' ')).not.toMatch(/did not reach you|not passed on/);
    await say('end');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
      'Calm down, you probably overloaded it.',
      'Sorry, that came out wrong. When did it start leaking?',
    ]);
  });

  it('shows the debrief again, not a reflection, when the debrief card never reached the learner', async () => {
    const { adapter, say } = conversation();
    const arm = refusing(
      adapter,
      (a) => JSON.stringify(a).includes('Debrief:'),
      () => Object.assign(new Error('refused'), { statusCode: 503 }),
    );
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say("I'm so sorry. When did it start leaking?");
    arm();
    await say('end').catch(() => undefined);
    const next = await say('Hello? Are you still there?');
    expect(texts(next).join(' ')).toMatch(/already ended/);
    expect(JSON.stringify(cards(next))).toContain('Debrief');
    expect(texts(next).some((t) => /what went well/i.test(t))).toBe(true);
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.reflection).toBeUndefined();
    await say('Next time I would ask about the cause first.');
    expect((await evidence.get(record!.id))!.reflection).toBe('Next time I would ask about the cause first.');
  });

  it('drops a typing indicator the channel refuses, and the turn goes on unharmed', async () => {
    const { adapter, say } = conversation('learner-1', { customer: createMockCustomer({ delayMs: 150 }), scorer: createMockScorer() });
    const send = adapter.sendActivities.bind(adapter);
    adapter.sendActivities = async (context, activities) => {
      if (activities.some((a) => a.type === 'typing')) throw new Error('typing refused');
      return send(context, activities);
    };
    await say('hello');
    await say(`start ${SCENARIO}`);
    const replies = await say('One.');
    expect(texts(replies)).toContain('Reply 1.');
    expect(texts(replies).some((t) => /Sorry, something went wrong/.test(t))).toBe(false);
  });
});

describe('state this version cannot read', () => {
  it('lets the learner go, and start again, instead of keeping them stuck', async () => {
    const { say } = conversation();
    await say('hello');
    await say(`start ${SCENARIO}`);
    await rewriteStoredRehearsal((dialog) => {
      (dialog.rehearsal as { version: number }).version = 3;
    });
    expect(texts(await say('Hello?')).join(' ')).toMatch(/different version of ServiceSim/);
    const again = await say(`start ${SCENARIO}`);
    expect(texts(again)).toContain(library.scenarios.find((s) => s.id === SCENARIO)!.customer.opening.trim());
  });
});

describe('a failure while the evidence is saved', () => {
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

  it('finishes the rehearsal on the next message once the store works again, losing nothing', async () => {
    evidence = new FailingOnce();
    const { say } = conversation();
    await say('hello');
    await say('start discontinued-spare-part');
    await say(
      "I'm sorry, we can't get that part because the manufacturer no longer makes it. You could contact Citizens Advice on 0808 223 1133 or an independent repairer.",
    );
    await expect(say('Is there anything else I can help with?')).rejects.toThrow(/disk full/);
    const replies = await say('Hello?');
    expect(JSON.stringify(cards(replies))).toContain('The customer accepted your referral.');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner')).toHaveLength(2);
  });

  it('finishes a rehearsal the learner ended on the next message, which is not sent to the customer', async () => {
    evidence = new FailingOnce();
    const { say } = conversation('learner-1', { customer: createMockCustomer(), scorer: createMockScorer() });
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say('One.');
    await expect(say('end')).rejects.toThrow(/disk full/);
    const replies = await say('Hello?');
    expect(texts(replies)).not.toContain('Reply 2.');
    expect(JSON.stringify(cards(replies))).toContain('Debrief');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.map((t) => t.text)).toEqual(['Hello, I have a problem.', 'One.', 'Reply 1.']);
  });
});

describe('a failure while the state is saved at the end of the debrief', () => {
  /** The reflection prompt's dialog id: it is on the stack first in the state saved at the end of the ending turn. */
  const REFLECTION_DIALOG = 'reflection';

  /** Bot state whose save at the end of the ending turn (the first with the reflection prompt on the stack) fails, once. */
  class LosesTheEndingSave extends MemoryKeyValueStore {
    failed = false;
    override async write(entries: Parameters<MemoryKeyValueStore['write']>[0]) {
      const stacks = entries.map((e) => (e.value as { dialogState?: { dialogStack?: { id: string }[] } }).dialogState?.dialogStack ?? []);
      if (!this.failed && stacks.some((stack) => stack.some((d) => d.id === REFLECTION_DIALOG))) {
        this.failed = true;
        throw new Error('state store unavailable');
      }
      return super.write(entries);
    }
  }

  /** Counts lookups, to hold ordinary turns to none. */
  class CountingEvidence extends MemoryEvidenceStore {
    gets = 0;
    override async get(id: string) {
      this.gets += 1;
      return super.get(id);
    }
  }

  const mockParts = (endAfter?: number) => ({
    customer: createMockCustomer(endAfter === undefined ? {} : { endAfter }),
    scorer: createMockScorer(),
  });

  it('takes the next message as the reflection after the learner ended, not as a reply to the customer', async () => {
    state = new LosesTheEndingSave();
    const counting = new CountingEvidence();
    evidence = counting;
    const { say, replies } = conversation('learner-1', mockParts());
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say('One.');
    await say('Two.');
    expect(counting.gets).toBe(0);
    await expect(say('end')).rejects.toThrow(/state store unavailable/);
    // The learner saw the debrief and was asked for a reflection before the save failed.
    expect(JSON.stringify(cards(replies))).toContain('Debrief');
    expect(texts(replies).some((t) => /what went well/i.test(t))).toBe(true);
    const [saved] = await evidence.listFor('test/learner-1');

    const reflected = await say('I would ask more questions first.');
    expect(texts(reflected)).toEqual([expect.stringMatching(/reflection is saved/)]);
    const record = await evidence.get(saved!.id);
    expect(record!.reflection).toBe('I would ask more questions first.');
    expect(record!.turns).toEqual(saved!.turns);
    // The rehearsal is over: "end" finds nothing to end, and nothing is saved again.
    expect(texts(await say('end')).join(' ')).toMatch(/not in a rehearsal/);
    expect(texts(await say('Hello?')).join(' ')).toMatch(/not in a rehearsal/);
    expect(await evidence.listFor('test/learner-1')).toEqual([record]);
  });

  it('takes the next message as the reflection after the customer ended', async () => {
    state = new LosesTheEndingSave();
    const { say } = conversation('learner-1', mockParts(2));
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say('One.');
    await expect(say('Two.')).rejects.toThrow(/state store unavailable/);
    const [saved] = await evidence.listFor('test/learner-1');

    const reflected = await say('Next time I would confirm the date.');
    expect(texts(reflected)).toEqual([expect.stringMatching(/reflection is saved/)]);
    expect(await evidence.listFor('test/learner-1')).toEqual([{ ...saved, reflection: 'Next time I would confirm the date.' }]);
  });

  it('asks for the reflection again when the next message is "end", and saves nothing again', async () => {
    state = new LosesTheEndingSave();
    const { say } = conversation('learner-1', mockParts());
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say('One.');
    await expect(say('end')).rejects.toThrow(/state store unavailable/);
    const [saved] = await evidence.listFor('test/learner-1');

    const asked = await say('end');
    expect(texts(asked)).toEqual([expect.stringMatching(/what went well/i)]);
    expect(cards(asked)).toEqual([]);
    await say('It went well.');
    expect(await evidence.listFor('test/learner-1')).toEqual([{ ...saved, reflection: 'It went well.' }]);
  });
});

describe('the conversation flow, whatever customer and scorer it is given', () => {
  const hint = { dimension: 'listening', text: 'Mock hint.' };

  it('passes each reply and its reading to the customer, scores each turn once, and scores the whole once at the end', async () => {
    const customer = createMockCustomer({ replies: ['First answer.', 'Second answer.'] });
    const scorer = createMockScorer({ level: 3, hint });
    const { say } = conversation('learner-1', { customer, scorer });
    await say('hello');
    const started = await say(`start ${SCENARIO}`);
    expect(texts(started)).toContain('Hello, I have a problem.');
    const first = await say('One.');
    expect(texts(first)).toEqual(['First answer.']);
    expect(hints(first)).toEqual([expect.stringContaining('Mock hint.')]);
    expect(texts(await say('Two.'))).toContain('Second answer.');
    const ended = await say('end');
    expect(JSON.stringify(cards(ended)[0])).toContain('Mock suggestion for listening.');
    expect(customer.calls.map((c) => c.method)).toEqual(['open', 'reply', 'reply']);
    expect(customer.calls[1]).toMatchObject({ method: 'reply', input: { text: 'One.', reading: { turn: 2, text: 'One.' } } });
    expect(scorer.calls.map((c) => c.method)).toEqual(['scoreTurn', 'scoreTurn', 'score']);
    // The whole rehearsal is scored from the readings kept as it went, not read again.
    const final = scorer.calls[2]!;
    expect(final.method === 'score' && final.input.readings?.map((r) => r.text)).toEqual(['One.', 'Two.']);
    const [record] = await evidence.listFor('test/learner-1');
    expect(record).toMatchObject({ customer: { kind: 'mock', id: 'mock-customer' }, scorer: { kind: 'mock', id: 'mock-scorer' } });
    expect(record!.turns.map((t) => t.text)).toEqual(['Hello, I have a problem.', 'One.', 'First answer.', 'Two.', 'Second answer.']);
  });

  it('shows the typing indicator only while a slow customer keeps the learner waiting', async () => {
    const { say } = conversation('learner-1', { customer: createMockCustomer({ delayMs: 150 }), scorer: createMockScorer() });
    await say('hello');
    const started = await say(`start ${SCENARIO}`);
    expect(started.some((a) => a.type === 'typing')).toBe(false);
    const slow = await say('One.');
    expect(slow.findIndex((a) => a.type === 'typing')).toBeLessThan(slow.findIndex((a) => a.text === 'Reply 1.'));
    expect(slow.some((a) => a.type === 'typing')).toBe(true);
    const fast = conversation('learner-2', { customer: createMockCustomer(), scorer: createMockScorer() });
    await fast.say('hello');
    await fast.say(`start ${SCENARIO}`);
    expect((await fast.say('One.')).some((a) => a.type === 'typing')).toBe(false);
  });

  it('debriefs as soon as the customer ends the conversation, with its reason', async () => {
    const { say } = conversation('learner-1', {
      customer: createMockCustomer({ endAfter: 1, endReason: 'escalated' }),
      scorer: createMockScorer(),
    });
    await say('hello');
    await say(`start ${SCENARIO}`);
    const replies = await say('I will ask my manager and ring you back by 5pm.');
    expect(JSON.stringify(cards(replies))).toContain('The customer accepted your escalation.');
    expect((await evidence.listFor('test/learner-1'))[0]?.endReason).toBe('escalated');
  });

  it('debriefs what was said when the bot restarts with another kind of customer mid-rehearsal', async () => {
    const before = conversation('learner-1', { customer: createMockCustomer(), scorer: createMockScorer() });
    await before.say('hello');
    await before.say(`start ${SCENARIO}`);
    await before.say('One.');
    const after = conversation();
    const replies = await after.say('Two.');
    expect(texts(replies).join(' ')).toMatch(/begun with a different customer/);
    expect(JSON.stringify(cards(replies))).toContain('Debrief');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual(['One.']);
    expect(record!.customer.id).toBe('mock-customer');
  });

  it('carries on a rehearsal stored before state was versioned, and loses none of its turns', async () => {
    const { say } = conversation();
    await say('hello');
    await say(`start ${SCENARIO}`);
    await say("I'm so sorry. When did it start leaking?");
    // Rewrite the stored rehearsal into the shape written before versioning: the whole transcript.
    await rewriteStoredRehearsal((dialog) => {
      const current = dialog.rehearsal as { opening: string; lastCustomerText: string; customer: Record<string, unknown> };
      const { kind: _kind, version: _version, ...customer } = current.customer;
      dialog.rehearsal = {
        scenarioId: SCENARIO,
        turns: [
          { role: 'customer', text: current.opening },
          { role: 'learner', text: "I'm so sorry. When did it start leaking?" },
          { role: 'customer', text: current.lastCustomerText },
        ],
        customer,
      };
      delete dialog.customer;
      // Written before there was a last exchange to keep.
      delete dialog.lastExchange;
    });
    expect(texts(await say('And what happened when the engineer came?')).length).toBeGreaterThan(0);
    await say('end');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
      "I'm so sorry. When did it start leaking?",
      'And what happened when the engineer came?',
    ]);
    expect(record!.customer.version).toMatch(/^before-/);
  });
});

describe('a turn taken by two processes at once, or cut short after its commit', () => {
  /** A bot over the shared stores, as another process would be: its own lease store stands for a lease it has lost. */
  function processOf(customer: RehearsalParts['customer'], store: KeyValueStore = state) {
    const bot = createBot({
      library,
      state: store,
      evidence,
      leases: new MemoryKeyValueStore(),
      parts: { customer, scorer: createRulesScorer() },
    });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    adapter.conversation.user = { id: 'learner-1', name: 'Sam' };
    return async (text: string | { value: unknown }) => {
      const activity = typeof text === 'string' ? { type: 'message', text } : { type: 'message', value: text.value };
      try {
        await adapter.send(activity as Partial<Activity>).startTest();
        return texts(adapter.activeQueue.splice(0));
      } finally {
        adapter.activeQueue.splice(0);
      }
    };
  }

  /** The shared state store, its writes going through `write` (which fails as a test needs). */
  const writingThrough = (write: KeyValueStore['write']): KeyValueStore => ({
    read: (keys) => state.read(keys),
    delete: (keys) => state.delete(keys),
    deleteIfUnchanged: (key, eTag) => state.deleteIfUnchanged(key, eTag),
    write,
  });

  const learnerLines = async () =>
    (await evidence.listFor('test/learner-1'))[0]!.turns.filter((t) => t.role === 'learner').map((t) => t.text);

  it("never lets a process that outlived its lease overwrite another process's turn", async () => {
    const scripted = createScriptedCustomer();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first process stalls mid-turn (a long pause) while the second takes its own turn.
    const stalling: RehearsalParts['customer'] = {
      identity: scripted.identity,
      open: (input) => scripted.open(input),
      reply: async (input) => {
        if (input.text.startsWith('First:')) await held;
        return scripted.reply(input);
      },
    };
    const first = processOf(stalling);
    const second = processOf(scripted);
    await first('hello');
    await first({ value: { action: 'start', scenarioId: SCENARIO } });
    const stalled = first('First: could you tell me when you bought it?');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const secondSaw = await second('Second: I am sorry to hear that. What model is it?');
    release();
    const firstSaw = await stalled;
    await second('end');
    expect(await learnerLines()).toEqual([
      'Second: I am sorry to hear that. What model is it?',
      'First: could you tell me when you bought it?',
    ]);
    const turns = (await evidence.listFor('test/learner-1'))[0]!.turns;
    expect(turns[2]!.text).toBe(secondSaw[0]);
    expect(turns[4]!.text).toBe(firstSaw[0]);
  });

  it('takes a message sent again once when the log could not be written after its answer went', async () => {
    let failLog = false;
    const flaky = writingThrough(async (entries) => {
      if (failLog && entries.some((e) => e.key.startsWith('rehearsal/{'))) {
        failLog = false;
        throw new StoreUnavailableError('Redis could not be reached');
      }
      return state.write(entries);
    });
    const say = processOf(createScriptedCustomer(), flaky);
    await say('hello');
    await say({ value: { action: 'start', scenarioId: SCENARIO } });
    failLog = true;
    const line = 'Okay, thank you.';
    await expect(say(line)).rejects.toThrow(/could not be reached/);
    // Told to send the same message again: it is the same turn, answered again, not a second one.
    expect(await say(line)).toHaveLength(1);
    await say(line);
    await say('end');
    expect(await learnerLines()).toEqual([line, line]);
  });

  it('answers a message sent again after a turn whose commit landed but whose reply was never sent, without taking it twice', async () => {
    let cutAfterCommit = false;
    // The state's save lands, then the connection drops: the turn fails, as Redis going away mid-write makes it.
    const flaky = writingThrough(async (entries) => {
      const outcomes = await state.write(entries);
      if (cutAfterCommit && entries.some((e) => e.key.includes('/conversations/'))) {
        cutAfterCommit = false;
        throw new StoreUnavailableError('Redis could not be reached');
      }
      return outcomes;
    });
    const say = processOf(createScriptedCustomer(), flaky);
    await say('hello');
    await say({ value: { action: 'start', scenarioId: SCENARIO } });
    cutAfterCommit = true;
    const line = "I'm so sorry about that. When did it start leaking?";
    await expect(say(line)).rejects.toThrow(/could not be reached/);
    const answer = await say(line);
    expect(answer).toHaveLength(1);
    expect(answer[0]).not.toMatch(/told you|said/i);
    await say('Thanks. And what did the engineer say?');
    await say('end');
    expect(await learnerLines()).toEqual([line, 'Thanks. And what did the engineer say?']);
    const turns = (await evidence.listFor('test/learner-1'))[0]!.turns;
    expect(turns[2]!.text).toBe(answer[0]);
  });
});
