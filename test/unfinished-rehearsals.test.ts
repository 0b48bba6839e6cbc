/**
 * A rehearsal left without `end`: taken up again in a new conversation (the local page's "New
 * conversation", another Teams chat), or, left long enough, scored as it stood and kept as
 * abandoned, with every turn the learner took. Driven through botbuilder's TestAdapter, each
 * conversation through its own bot (as two processes would be), over one shared store.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBot } from '../bot/create-bot.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { readSettings } from '../cli/settings.ts';
import { privacyText } from '../engine/learner-data-copy.ts';
import { attemptsAt, hasDone } from '../engine/assignment-progress.ts';
import { CohortStore } from '../store/cohort-store.ts';
import { evidenceRecord } from './store-conformance.ts';
import { openStores } from '../cli/open-stores.ts';
import { temporaryFolder } from './temporary-folder.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { OpenRehearsals } from '../store/open-rehearsals.ts';
import type { WriteEntry } from '../store/key-value-store.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';

/** A store on which a turn of one conversation lands just before the next checked write of its state. */
class RacingStore extends MemoryKeyValueStore {
  raceOn: string | undefined;

  override async write(entries: readonly WriteEntry[]) {
    const key = this.raceOn;
    if (key !== undefined && entries.some((e) => e.key === key && e.eTag !== undefined)) {
      this.raceOn = undefined;
      const item = (await this.read([key]))[key]!;
      await super.write([{ key, value: { ...(item.value as object), touched: true } }]);
    }
    return super.write(entries);
  }
}

const library = await loadLibrary();
const SCENARIO = 'faulty-washing-machine';
const TITLE = library.scenarios.find((s) => s.id === SCENARIO)!.title;

let evidence: MemoryEvidenceStore;
let state: RacingStore;

/** One conversation of the learner's, through a bot of its own; `abandonedAfterMs` gives that bot its pass. */
function conversation(id: string, { user = 'learner-1', abandonedAfterMs }: { user?: string; abandonedAfterMs?: number } = {}) {
  const bot = createBot({
    library,
    state,
    evidence,
    stateExpiryMs: 30 * 24 * 60 * 60_000,
    ...(abandonedAfterMs === undefined ? {} : { abandoned: { afterMs: abandonedAfterMs, logger: pino({ level: 'silent' }) } }),
  });
  const adapter = new TestAdapter(async (context) => bot.run(context));
  adapter.conversation.user = { id: user, name: 'Sam' };
  adapter.conversation.conversation = { ...adapter.conversation.conversation, id };
  /** The channel's "a member joined": how the local page's "New conversation" (and Teams) opens one. */
  const join = async () => {
    await adapter
      .send({
        type: 'conversationUpdate',
        membersAdded: [adapter.conversation.user],
        recipient: adapter.conversation.bot,
      } as Partial<Activity>)
      .startTest();
    const replies: Partial<Activity>[] = [];
    while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
    return replies;
  };
  const say = async (text: string | { value: unknown }) => {
    const activity = typeof text === 'string' ? { type: 'message', text } : { type: 'message', value: text.value };
    await adapter.send(activity as Partial<Activity>).startTest();
    const replies: Partial<Activity>[] = [];
    while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
    return replies;
  };
  return { bot, say, join };
}

const texts = (activities: Partial<Activity>[]) => activities.filter((a) => a.type === 'message' && a.text).map((a) => a.text!);
const cardsOf = (activities: Partial<Activity>[]) => activities.flatMap((a) => (a.attachments ?? []).map((x) => JSON.stringify(x.content)));
const learnerLines = async (learnerId = 'test/learner-1') =>
  (await evidence.listFor(learnerId)).flatMap((r) => r.turns.filter((t) => t.role === 'learner').map((t) => t.text));

/** What the learner says before leaving the rehearsal unfinished. */
const LEFT_SAYING = ["I'm so sorry about the flood. When did it start leaking?", 'Thank you. What does the display show when it stops?'];

/** Starts the washing-machine rehearsal in `first` and replies twice; returns the customer's last words. */
async function leaveUnfinished(first: ReturnType<typeof conversation>): Promise<string> {
  await first.say('hello');
  await first.say(`start ${SCENARIO}`);
  await first.say(LEFT_SAYING[0]!);
  const last = await first.say(LEFT_SAYING[1]!);
  return texts(last).at(-1)!;
}

beforeEach(() => {
  evidence = new MemoryEvidenceStore();
  state = new RacingStore();
});

describe('a rehearsal left unfinished', () => {
  it('is offered in a new conversation, taken up where it was left, and ends there with every turn', async () => {
    const first = conversation('window-1');
    const customerLast = await leaveUnfinished(first);

    const second = conversation('window-2');
    const greeted = await second.join();
    expect(texts(greeted)[0]).toMatch(/Welcome back/);
    const offer = cardsOf(greeted).find((c) => c.includes('unfinished rehearsal'));
    expect(offer).toContain(TITLE);
    const rehearsalId = /"action":"resume","rehearsalId":"([^"]+)"/.exec(offer!)![1]!;
    // The last thing the greeting shows, after the picker, so a long picker never scrolls it out of sight.
    expect(JSON.stringify(greeted.at(-1)?.attachments?.[0]?.content)).toContain('unfinished rehearsal');

    const resumed = await second.say({ value: { action: 'resume', rehearsalId } });
    expect(texts(resumed)[0]).toContain(`Taking up **${TITLE}**`);
    expect(cardsOf(resumed).some((c) => c.includes(TITLE) && c.includes('End rehearsal'))).toBe(true);
    expect(texts(resumed).at(-1)).toContain(customerLast.split('\n')[0]!);

    const answered = await second.say('Could you read me the model number on the door, please?');
    expect(texts(answered).length).toBeGreaterThan(0);
    await second.say('end');
    expect(await learnerLines()).toEqual([
      "I'm so sorry about the flood. When did it start leaking?",
      'Thank you. What does the display show when it stops?',
      'Could you read me the model number on the door, please?',
    ]);
    expect(await new OpenRehearsals(state).all()).toEqual([]);

    // Back in the first window: told where it went, not handed to a rehearsal that left.
    const back = await first.say('Are you still there?');
    expect(texts(back).join(' ')).toMatch(/taken up in another conversation/);
    expect(texts(await first.say('Hello?')).join(' ')).not.toMatch(/taken up in another conversation/);
  });

  it('is taken up by `resume` typed, and offered with `scenarios` or a message in another conversation, not in its own', async () => {
    const first = conversation('window-1');
    await leaveUnfinished(first);
    expect(cardsOf(await first.say('scenarios')).some((c) => c.includes('unfinished rehearsal'))).toBe(false);
    const second = conversation('window-2');
    // A message, in a conversation that was never greeted (Teams may send no "joined"): offered too.
    const told = await second.say('hello');
    expect(texts(told).join(' ')).toMatch(/not in a rehearsal/);
    expect(cardsOf(told).some((c) => c.includes('unfinished rehearsal'))).toBe(true);
    expect(cardsOf(await second.say('scenarios')).some((c) => c.includes('unfinished rehearsal'))).toBe(true);
    expect(texts(await second.say('resume'))[0]).toContain(`Taking up **${TITLE}**`);
    // Back to the first window: taken up there again, with no word that it "carries on" elsewhere.
    const back = texts(await first.say('resume')).join(' ');
    expect(back).toContain(`Taking up **${TITLE}**`);
    expect(back).not.toMatch(/carries on there/);
    expect(texts(await second.say('Hello?')).join(' ')).toMatch(/taken up in another conversation/);
  });

  it('is offered with every other one left unfinished, each to take up; and `resume` inside it says so', async () => {
    const first = conversation('window-1');
    await leaveUnfinished(first);
    const other = library.scenarios.find((s) => s.id === 'gym-cancellation-fee')!;
    const third = conversation('window-3');
    await third.say('hello');
    await third.say(`start ${other.id}`);
    await third.say("I'm sorry to hear that. What were you told when you joined?");
    const second = conversation('window-2');
    const offer = cardsOf(await second.join()).find((c) => c.includes('unfinished rehearsals'))!;
    expect(offer).toContain('You have 2 unfinished rehearsals');
    expect(offer).toContain(TITLE);
    expect(offer).toContain(other.title);
    expect(offer.match(/"action":"resume"/g)).toHaveLength(2);
    // A message in a window whose rehearsal moved says so once, then offers it back, with no "not in a rehearsal" beside it.
    const [openOther] = (await new OpenRehearsals(state).all()).filter((e) => e.scenarioId === other.id);
    await second.say({ value: { action: 'resume', rehearsalId: openOther!.rehearsalId } });
    const moved = await third.say('Hello?');
    expect(texts(moved)).toEqual([`Your rehearsal **${other.title}** was taken up in another conversation.`]);
    expect(cardsOf(moved).join(' ')).toContain(other.title);
    expect(texts(await second.say('resume')).join(' ')).toMatch(/You are in this rehearsal already/);
  });

  it('stays where it is when its conversation takes a turn while it is being taken up', async () => {
    const first = conversation('window-1');
    await leaveUnfinished(first);
    const [open] = await new OpenRehearsals(state).all();
    const second = conversation('window-2');
    await second.say('hello');
    state.raceOn = open!.stateKey;
    const busy = await second.say('resume');
    expect(texts(busy).join(' ')).toMatch(/busy in another conversation/);
    expect(state.raceOn).toBeUndefined();
    // Not held in the second window; still held in the first, which carries on.
    expect(texts(await second.say('Hello?')).join(' ')).toMatch(/not in a rehearsal/);
    const carried = await first.say('And has it happened before?');
    expect(texts(carried).join(' ')).not.toMatch(/not in a rehearsal|taken up/);
    await first.say('end');
    expect((await learnerLines()).at(-1)).toBe('And has it happened before?');
  });

  it('is not offered once its conversation no longer holds it (ended in a turn that could not take it off the list)', async () => {
    const first = conversation('window-1');
    await leaveUnfinished(first);
    const open = new OpenRehearsals(state);
    const [entry] = await open.all();
    await first.say('end');
    await open.hold(entry!);
    const second = conversation('window-2');
    expect(cardsOf(await second.join()).some((c) => c.includes('unfinished rehearsal'))).toBe(false);
    expect(texts(await second.say('resume')).join(' ')).toMatch(/no unfinished rehearsal of yours/);
  });

  it('is neither offered nor taken up, and breaks nothing, when its stored state is damaged', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await leaveUnfinished(first);
    const [entry] = await new OpenRehearsals(state).all();
    const item = (await state.read([entry!.stateKey]))[entry!.stateKey]!;
    const document = item.value as { dialogState: { dialogStack: { state: Record<string, unknown> }[] } };
    delete document.dialogState.dialogStack[0]!.state.learner;
    await state.write([{ key: entry!.stateKey, value: document, eTag: item.eTag }]);
    const second = conversation('window-2');
    const greeted = await second.join();
    expect(texts(greeted)[0]).toMatch(/Welcome back/);
    expect(cardsOf(greeted).some((c) => c.includes('unfinished rehearsal'))).toBe(false);
    expect(texts(await second.say('resume')).join(' ')).toMatch(/no unfinished rehearsal of yours/);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(0);
  });

  it('cannot be taken up by another learner, even with its id', async () => {
    const first = conversation('window-1');
    await leaveUnfinished(first);
    const [open] = await new OpenRehearsals(state).all();
    const stranger = conversation('window-9', { user: 'learner-2' });
    await stranger.say('hello');
    expect(cardsOf(await stranger.say('scenarios')).some((c) => c.includes('unfinished rehearsal'))).toBe(false);
    const tried = await stranger.say({ value: { action: 'resume', rehearsalId: open!.rehearsalId } });
    expect(texts(tried).join(' ')).toMatch(/no unfinished rehearsal of yours/);
    // Still the first learner's, where they left it.
    const carried = await first.say('And has it happened before?');
    expect(texts(carried).length).toBeGreaterThan(0);
    expect(texts(carried).join(' ')).not.toMatch(/not in a rehearsal/);
  });

  it('is scored as it stood and kept as abandoned once left long enough, and the learner is told', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await leaveUnfinished(first);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(1);

    const [record] = await evidence.listFor('test/learner-1');
    expect(record).toMatchObject({ endReason: 'abandoned', scenario: { id: SCENARIO } });
    expect(await learnerLines()).toEqual(LEFT_SAYING);
    expect(Object.keys(record!.report.dimensions).length).toBeGreaterThan(0);
    expect(record!.report.turns).toHaveLength(2);
    expect(await new OpenRehearsals(state).all()).toEqual([]);
    // A second pass (another process's) finds nothing more to keep.
    expect(await first.bot.abandoned!.keepIdle()).toBe(0);

    const back = await first.say('Sorry, I was called away.');
    expect(texts(back).join(' ')).toMatch(/kept as abandoned/);
    expect(texts(back).join(' ')).not.toMatch(/You are not in a rehearsal.*kept/);
    const history = await first.say('history');
    expect(texts(history).join(' ')).toContain(`**${TITLE}** (practice, left unfinished)`);
    expect(cardsOf(history).join(' ')).toContain('practice · left unfinished');
    const opened = await first.say({ value: { action: 'open', recordId: record!.id } });
    expect(cardsOf(opened)[0]).toContain('You left this rehearsal unfinished');
  });

  it('cannot be taken up elsewhere while it is being kept as abandoned: it is kept once, with every turn', async () => {
    // The learner types `resume` in another window just as the pass saves the evidence (a model judge may take seconds).
    let duringSave: (() => Promise<void>) | undefined;
    const saved: string[] = [];
    evidence = new (class extends MemoryEvidenceStore {
      override async save(record: EvidenceRecord) {
        saved.push(record.endReason);
        const hook = duringSave;
        duringSave = undefined;
        if (hook) await hook();
        return super.save(record);
      }
    })();
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await leaveUnfinished(first);
    const second = conversation('window-2');
    await second.say('hello');
    let resumed: string[] = [];
    duringSave = async () => {
      resumed = texts(await second.say('resume'));
    };
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(1);
    expect(resumed.join(' ')).toMatch(/no unfinished rehearsal of yours/);
    expect(texts(await second.say('Could you read me the model number?')).join(' ')).toMatch(/not in a rehearsal/);
    expect(saved).toEqual(['abandoned']);
    expect(await learnerLines()).toEqual(LEFT_SAYING);
  });

  it('keeps a turn whose answer never reached the log: the learner said it, so it counts', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await leaveUnfinished(first);
    const [open] = await new OpenRehearsals(state).all();
    // The last turn was committed, but the learner left as its exchange was being logged.
    await state.delete([`rehearsal/{${open!.rehearsalId}}/4`]);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(1);
    expect(await learnerLines()).toEqual(LEFT_SAYING);
  });

  it('is listed on its next turn if it was begun before rehearsals under way were listed', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await leaveUnfinished(first);
    const open = new OpenRehearsals(state);
    const [entry] = await open.all();
    // As an older ServiceSim left it: no time of its last turn, and not on the list.
    const item = (await state.read([entry!.stateKey]))[entry!.stateKey]!;
    const document = item.value as { dialogState: { dialogStack: { state: Record<string, unknown> }[] } };
    delete document.dialogState.dialogStack[0]!.state.lastTurnAt;
    await state.write([{ key: entry!.stateKey, value: document, eTag: item.eTag }]);
    await open.remove(entry!.rehearsalId);

    await first.say('And has it happened before?');
    expect((await open.all()).map((e) => e.rehearsalId)).toEqual([entry!.rehearsalId]);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(1);
    expect((await learnerLines()).at(-1)).toBe('And has it happened before?');
  });

  it('is left alone while it has not been left long enough, and goes on as before', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 60 * 60_000 });
    await leaveUnfinished(first);
    expect(await first.bot.abandoned!.keepIdle()).toBe(0);
    expect(await evidence.listFor('test/learner-1')).toEqual([]);
    await first.say('end');
    const [record] = await evidence.listFor('test/learner-1');
    expect(record!.endReason).toBe('learner-ended');
  });

  it('is closed with nothing kept when the learner never replied', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await first.say('hello');
    await first.say(`start ${SCENARIO}`);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(0);
    expect(await evidence.listFor('test/learner-1')).toEqual([]);
    expect(await new OpenRehearsals(state).all()).toEqual([]);
    expect(texts(await first.say('hello?')).join(' ')).toMatch(/nothing in it to score/);
  });
});

describe('the list of rehearsals under way', () => {
  const entry = (stateKey: string) => ({
    rehearsalId: 'r-1',
    learnerId: 'test/learner-1',
    scenarioId: SCENARIO,
    title: TITLE,
    startedAt: new Date(Date.now() - 2 * 60 * 60_000).toISOString(),
    conversation: stateKey.replace('/conversations/', '/').replace(/\/$/, ''),
    stateKey,
    reference: {},
  });

  it('keeps an entry written where the rehearsal was taken up when the stale one for where it was is cleared', async () => {
    const open = new OpenRehearsals(state);
    await open.hold(entry('test/conversations/window-2/'));
    await open.remove('r-1', 'test/conversations/window-1/');
    expect((await open.all()).map((e) => e.stateKey)).toEqual(['test/conversations/window-2/']);
    await open.remove('r-1', 'test/conversations/window-2/');
    expect(await open.all()).toEqual([]);
  });

  it('is cleared of rehearsals whose state is gone even when none is kept as abandoned (ABANDONED_AFTER_DAYS=0)', async () => {
    const bot = createBot({ library, state, evidence, abandoned: { logger: pino({ level: 'silent' }) } });
    const first = conversation('window-1');
    await leaveUnfinished(first);
    const open = new OpenRehearsals(state);
    // One whose conversation expired (STATE_EXPIRY_DAYS) with the rehearsal in it.
    await open.hold(entry('test/conversations/window-gone/'));
    await sleep(5);
    expect(await bot.abandoned!.keepIdle()).toBe(0);
    const left = await open.all();
    expect(left.map((e) => e.stateKey)).toEqual(['test/conversations/window-1/']);
    expect(await evidence.listFor('test/learner-1')).toEqual([]);
  });
});

describe('a rehearsal left unfinished, with the embedded SQLite store (the default)', () => {
  it('is kept as abandoned, with every turn, and its conversation told', async () => {
    const stores = await openStores({ DATA_DIR: temporaryFolder(), REDIS_URL: '', REDIS_CLUSTER: 'false' }, pino({ level: 'silent' }));
    try {
      const bot = createBot({
        library,
        state: stores.state,
        evidence: stores.evidence,
        leases: stores.leases,
        stateExpiryMs: 30 * 24 * 60 * 60_000,
        abandoned: { afterMs: 1, logger: pino({ level: 'silent' }) },
      });
      const adapter = new TestAdapter(async (context) => bot.run(context));
      const say = async (text: string) => {
        await adapter.send(text).startTest();
        const replies: Partial<Activity>[] = [];
        while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
        return replies;
      };
      await say('hello');
      await say(`start ${SCENARIO}`);
      await say("I'm so sorry about the flood. When did it start leaking?");
      await sleep(5);
      expect(await bot.abandoned!.keepIdle()).toBe(1);
      const [record] = await stores.evidence.listFor(`test/${adapter.conversation.user!.id}`);
      expect(record).toMatchObject({ endReason: 'abandoned' });
      expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
        "I'm so sorry about the flood. When did it start leaking?",
      ]);
      expect(texts(await say('Hello again.')).join(' ')).toMatch(/kept as abandoned/);
    } finally {
      await stores.close();
    }
  });
});

describe('an assignment', () => {
  const assignment = { scenarioId: 'kettle-refund', due: '2026-12-24', mode: 'practice' as const, setAt: '2026-11-01T09:00:00.000Z' };
  const attempt = (id: string, endReason: string) =>
    evidenceRecord({ id, learner: { id: 'learner-1' }, endedAt: '2026-11-20T10:00:00.000Z', endReason });

  it('is not done by a rehearsal of it left unfinished, though that is an attempt; a finished one does it', () => {
    const abandoned = attempt('r-left', 'abandoned');
    expect(attemptsAt(assignment, 'learner-1', [abandoned])).toEqual([abandoned]);
    expect(hasDone(assignment, 'learner-1', [abandoned])).toBe(false);
    expect(hasDone(assignment, 'learner-1', [abandoned, attempt('r-done', 'learner-ended')])).toBe(true);
  });

  it('stays in the picker, assigned, after a rehearsal of it was kept as abandoned', async () => {
    const first = conversation('window-1', { abandonedAfterMs: 1 });
    await first.say('hello');
    const cohorts = new CohortStore(state);
    const cohort = await cohorts.create({ name: 'Evening class', tutor: 'ann@example.org' });
    await cohorts.assign(cohort.id, { scenarioId: SCENARIO, due: '2099-01-01', mode: 'practice', setBy: 'ann@example.org' });
    await first.say(`join ${cohort.joinCode}`);
    await first.say('Sam Jones');
    expect(cardsOf(await first.say('scenarios')).join(' ')).toContain('Assigned to you');
    await leaveUnfinished(first);
    await sleep(5);
    expect(await first.bot.abandoned!.keepIdle()).toBe(1);
    expect(cardsOf(await first.say('scenarios')).join(' ')).toContain('Assigned to you');
  });
});

describe('ABANDONED_AFTER_DAYS', () => {
  it('is what `privacy` tells the learner of a rehearsal they leave unfinished', () => {
    expect(privacyText(undefined, { unfinishedRehearsalDays: 30, abandonedAfterDays: 7 })).toContain(
      'a rehearsal left unfinished is scored as it stands and kept with the rehearsals you finish, as abandoned, 7 days after your last message in it',
    );
  });

  it('must be shorter than STATE_EXPIRY_DAYS, or the rehearsal would be forgotten first', () => {
    expect(() => readSettings({ ABANDONED_AFTER_DAYS: '30', STATE_EXPIRY_DAYS: '30' })).toThrow(
      /ABANDONED_AFTER_DAYS is 30, but STATE_EXPIRY_DAYS is 30/,
    );
    expect(readSettings({ ABANDONED_AFTER_DAYS: '7', STATE_EXPIRY_DAYS: '30' }).ABANDONED_AFTER_DAYS).toBe(7);
    expect(readSettings({ ABANDONED_AFTER_DAYS: '60', STATE_EXPIRY_DAYS: '0' }).ABANDONED_AFTER_DAYS).toBe(60);
  });
});
