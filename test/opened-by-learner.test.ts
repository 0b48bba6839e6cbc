/**
 * Scenarios the learner opens (`openedBy: learner`): the rehearsal waits for the learner's first
 * message, and the customer's opening answers it. Through the engine (state, transcript, scoring,
 * restore, old state), the LLM customer, the real bot (briefing, the prompt to speak first, the
 * rehearsal log, the evidence), the local page in chromium, and the terminal (`chat`, `read`).
 */
import { TestAdapter, type Activity } from 'botbuilder';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../bot/create-bot.ts';
import { readConversation } from '../engine/conversation-reading.ts';
import { assembleEvidence } from '../engine/evidence-record.ts';
import { createLlmCustomer } from '../engine/llm-customer.ts';
import { Rehearsal, scoreRehearsal, transcriptOf, type Exchange, type RehearsalParts } from '../engine/rehearsal.ts';
import { loadLibrary, type Library } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { TranscriptSchema } from '../engine/transcript.ts';
import { createFakeLanguageModel } from '../model/fake-language-model.ts';
import { loadPromptBook } from '../model/prompt-files.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { scratchDir } from './broken-file.ts';
import { launchChromium } from './chromium.ts';
import { runCli } from './run-cli.ts';
import { kettle } from './scenario-fixture.ts';

/** The kettle fixture, opened by the learner: engine tests do not depend on shipped content. */
const ringing: Scenario = { ...kettle, openedBy: 'learner' };
const OPENING = kettle.customer.opening;
const parts = (): RehearsalParts => ({ customer: createScriptedCustomer(), scorer: createRulesScorer() });

describe('a rehearsal the learner opens', () => {
  it('starts with no customer words and no turns, and the first learner message is turn 1', async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    expect(rehearsal.opening).toBe('');
    expect(rehearsal.openedBy).toBe('learner');
    expect(rehearsal.turnCount).toBe(0);
    const first = await rehearsal.learnerSays('Hello, is that Mr Ellis? This is Sam from Brightwell Home Store.');
    expect(first.turn).toBe(1);
    expect(first.reading.turn).toBe(1);
    expect(rehearsal.turnCount).toBe(2);
  });

  it("answers the learner's first message with the opening, and nothing that presupposes something was said before", async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    // A greeting and a question the opening itself answers; no behaviour the customer could be ignored by.
    const first = await rehearsal.learnerSays('Hello, is that Mr Ellis? This is Sam from Brightwell Home Store.');
    expect(first.customer).toBe(OPENING);
    const customerOpens = await Rehearsal.start(kettle, parts());
    expect((await customerOpens.learnerSays('Hello, is that Mr Ellis? This is Sam from Brightwell Home Store.')).customer).not.toBe(
      OPENING,
    );
  });

  it('answers a question in the first message after the opening', async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    const first = await rehearsal.learnerSays("Hello Mr Ellis, it's Sam from Brightwell. What happens when you switch the kettle on?");
    expect(first.customer.startsWith(OPENING)).toBe(true);
    expect(first.customer).toContain('The light comes on but it never heats the water.');
    expect(first.reading.factsAsked).toEqual(['fault']);
  });

  it('gives a transcript that starts with the learner, valid as a saved transcript, scored and read like any other', async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    const exchanges: Exchange[] = [];
    for (const line of [
      "Hello Mr Ellis, it's Sam from Brightwell. I'm sorry to hear about your kettle. What happens when you switch it on?",
      'I can replace it today. Would you like that?',
    ])
      exchanges.push(await rehearsal.learnerSays(line));
    const turns = transcriptOf(rehearsal.opening, exchanges);
    expect(turns.map((t) => t.role)).toEqual(['learner', 'customer', 'learner', 'customer']);
    expect(TranscriptSchema.safeParse({ turns }).success).toBe(true);
    // The scorer's reading of the saved transcript is the rehearsal's own, turn for turn.
    const read = readConversation(ringing, turns).learnerTurns;
    expect(read.map((r) => [r.turn, r.factsAsked, r.offers.map((o) => o.action)])).toEqual(
      exchanges.map((e) => [e.reading.turn, e.reading.factsAsked, e.reading.offers.map((o) => o.action)]),
    );
    const report = await scoreRehearsal(createRulesScorer(), ringing, rehearsal.opening, exchanges);
    expect(report.dimensions.questioning?.level).toBeGreaterThan(0);
    expect(report.dimensions.listening?.evidence.every((e) => e.turn % 2 === 1)).toBe(true);
  });

  it('keeps lost turns in their places when an exchange is missing', () => {
    const exchange = (turn: number) => ({ turn, learner: `said at ${turn}`, customer: `answered at ${turn + 1}` }) as unknown as Exchange;
    const turns = transcriptOf('', [exchange(3)], 6);
    expect(turns.map((t) => (t.text.startsWith('(') ? t.role : t.text))).toEqual([
      'learner',
      'customer',
      'said at 3',
      'answered at 4',
      'learner',
      'customer',
    ]);
  });

  it('carries on from its stored state, and state stored before the learner could open still loads', async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    await rehearsal.learnerSays('Hello, is that Mr Ellis?');
    const restored = Rehearsal.restore(ringing, parts(), JSON.parse(JSON.stringify(rehearsal.snapshot)));
    expect(restored.openedBy).toBe('learner');
    expect((await restored.learnerSays('When did you buy it?')).turn).toBe(3);

    const older = await Rehearsal.start(kettle, parts());
    const { openedBy, ...stored } = older.snapshot;
    expect(openedBy).toBe('customer');
    const carried = Rehearsal.restore(kettle, parts(), stored);
    expect(carried.openedBy).toBe('customer');
    expect(carried.opening).toBe(OPENING);
    expect((await carried.learnerSays('When did you buy it?')).turn).toBe(2);
  });

  it('records evidence that starts with the learner, each mood on the customer turn it belongs to', async () => {
    const rehearsal = await Rehearsal.start(ringing, parts());
    const exchanges = [await rehearsal.learnerSays('Hello, is that Mr Ellis?'), await rehearsal.learnerSays('When did you buy it?')];
    rehearsal.end();
    const record = assembleEvidence({
      id: 'r1',
      learner: { id: 'test/learner-1', name: 'Sam' },
      scenario: { id: ringing.id, title: ringing.title },
      mode: 'practice',
      startedAt: '2026-11-30T10:00:00.000Z',
      endedAt: '2026-11-30T10:05:00.000Z',
      endReason: 'learner-ended',
      opening: rehearsal.opening,
      exchanges,
      turnCount: rehearsal.turnCount,
      report: await scoreRehearsal(createRulesScorer(), ringing, rehearsal.opening, exchanges),
      customer: createScriptedCustomer().identity,
      scorer: createRulesScorer().identity,
    });
    expect(record.turns.map((t) => [t.role, t.mood])).toEqual([
      ['learner', undefined],
      ['customer', exchanges[0]!.mood],
      ['learner', undefined],
      ['customer', exchanges[1]!.mood],
    ]);
  });
});

describe('the LLM customer in a scenario the learner opens', () => {
  it('says nothing first, then voices the opening as its answer', async () => {
    const model = createFakeLanguageModel((request) => {
      const meaning = /WHAT YOU MEAN TO SAY: (.*)/.exec(request.messages.at(-1)!.content)?.[1] ?? 'Right.';
      return {
        content: JSON.stringify({
          reply: meaning,
          reading: { questions: [], offers: [], empathy: false, refusals: [], approvalSought: false },
        }),
        usage: { inputTokens: 10, outputTokens: 10 },
      };
    });
    const prices = { inputPerMillion: 1, cachedInputPerMillion: 0.5, outputPerMillion: 10 };
    const customer = createLlmCustomer({ model, prompts: await loadPromptBook(), cap: { prices, perRehearsal: 1 } });
    const rehearsal = await Rehearsal.start(ringing, { customer, scorer: createRulesScorer() });
    expect(rehearsal.opening).toBe('');
    expect(model.calls).toHaveLength(0);
    const first = await rehearsal.learnerSays('Hello, is that Mr Ellis? This is Sam from Brightwell Home Store.');
    expect(first.model?.fallback).toBeUndefined();
    expect(first.customer).toBe(OPENING);
  });
});

describe('the bot, in a scenario the learner opens', () => {
  let library: Library;
  beforeAll(async () => {
    library = await loadLibrary();
  });
  const SCENARIO = 'meter-leak-spotted';

  function conversation() {
    const evidence = new MemoryEvidenceStore();
    const bot = createBot({ library, state: new MemoryKeyValueStore(), evidence, parts: parts() });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    adapter.conversation.user = { id: 'learner-1', name: 'Sam' };
    const say = async (text: string) => {
      const replies: Partial<Activity>[] = [];
      await adapter.send(text).startTest();
      while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
      return replies;
    };
    return { say, evidence };
  }
  const texts = (activities: Partial<Activity>[]) => activities.filter((a) => a.type === 'message' && a.text).map((a) => a.text!);
  const cards = (activities: Partial<Activity>[]) => activities.flatMap((a) => (a.attachments ?? []).map((x) => JSON.stringify(x.content)));

  it('briefs, asks the learner to open the call, answers with the opening, and saves evidence that starts with the learner', async () => {
    const scenario = library.scenarios.find((s) => s.id === SCENARIO)!;
    expect(scenario.openedBy).toBe('learner');
    const { say, evidence } = conversation();
    await say('hello');
    const started = await say(`start ${SCENARIO}`);
    expect(cards(started)[0]).toContain(scenario.title);
    expect(cards(started)[0]).toContain('You speak first, as the advisor');
    expect(texts(started)).toEqual([
      `📞 You open the call: the customer has just answered the phone. Greet ${scenario.customer.name} and say why you are getting in touch.`,
    ]);
    expect(texts(started).join(' ')).not.toContain(scenario.customer.opening);

    const first = await say("Hello, is that Mr Price? It's Sam from Tamar Valley Water.");
    expect(texts(first)[0]).toBe(scenario.customer.opening);
    const news = await say(
      "I'm sorry to worry you, but I'm ringing because your smart meter shows water flowing all night, which usually means a leak.",
    );
    expect(texts(news)[0]).toContain(scenario.moodEvents[0]!.says);
    const asked = await say('Have you noticed a wet patch in the front garden?');
    expect(texts(asked)[0]).toMatch(/lawn|grass/);

    const ended = await say('end');
    expect(cards(ended)[0]).toContain('Debrief');
    const [record] = await evidence.listFor('test/learner-1');
    // Every exchange came back from the rehearsal log: none is a placeholder for a lost turn.
    expect(record!.missingTurns).toBeUndefined();
    expect(record!.turns.map((t) => t.role)).toEqual(['learner', 'customer', 'learner', 'customer', 'learner', 'customer']);
    expect(record!.turns[0]!.text).toBe("Hello, is that Mr Price? It's Sam from Tamar Valley Water.");
    expect(record!.turns[1]!.text).toBe(scenario.customer.opening);
    expect(record!.turns[3]!.text).toBe(texts(news)[0]);
  });

  it('ended before the learner speaks, says there is nothing to score', async () => {
    const { say, evidence } = conversation();
    await say('hello');
    await say(`start ${SCENARIO}`);
    expect(texts(await say('end')).join(' ')).toMatch(/You did not speak to the customer, so there is nothing to score/);
    expect(await evidence.listFor('test/learner-1')).toEqual([]);
  });
});

describe('the terminal, in a scenario the learner opens', () => {
  it('chat: the learner types first, the opening answers, and the transcript starts with the learner', () => {
    const data = scratchDir();
    const input = [
      "Hello, is that Mr Price? It's Sam from Tamar Valley Water.",
      'Have you noticed a wet patch in the front garden?',
      '/end',
      '',
    ].join('\n');
    const result = runCli(['chat', '--scenario', 'meter-leak-spotted'], { input, env: { DATA_DIR: data } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const opening = 'Gareth Price: Hello? Yes, Gareth Price speaking.';
    expect(result.stdout).toContain('(You open the call: greet Gareth Price and say why you are getting in touch.)');
    expect(result.stdout.indexOf('You: Hello, is that Mr Price?')).toBeLessThan(result.stdout.indexOf(opening));
    const [saved] = readdirSync(path.join(data, 'transcripts'));
    const transcript = JSON.parse(readFileSync(path.join(data, 'transcripts', saved!), 'utf8')) as { turns: Array<{ role: string }> };
    expect(transcript.turns.map((t) => t.role)).toEqual(['learner', 'customer', 'learner', 'customer']);
    // And `score` reads it as it was played.
    const scored = runCli(['score', path.join(data, 'transcripts', saved!), '--json']);
    expect(scored.code).toBe(0);
    expect(JSON.parse(scored.stdout).dimensions.questioning.level).toBeGreaterThan(0);
  });

  it('read: takes the line as the learner opening, with no customer message to reflect, and shows the news it gives', () => {
    // After the customer's opening ("Hello? Yes, Gareth Price speaking.") this line would reflect it back.
    const line = 'Hello, Gareth Price speaking? This is Sam from Tamar Valley Water, about a leak.';
    const shown = JSON.parse(runCli(['read', '--scenario', 'meter-leak-spotted', line, '--json']).stdout);
    expect(shown.openedBy).toBe('learner');
    expect(shown.behaviours.map((b: { kind: string }) => b.kind)).not.toContain('reflect');
    expect(shown.news).toEqual([expect.objectContaining({ hears: ['leak'], moodChange: 1, once: true })]);
    const text = runCli(['read', '--scenario', 'meter-leak-spotted', line]).stdout;
    expect(text).toContain('(as the learner opening the conversation)');
    expect(text).toContain('+1 (angrier) on "leak", the first time only');
    // Read again after an earlier line gave the news, it is news no longer.
    const after = JSON.parse(
      runCli(['read', '--scenario', 'meter-leak-spotted', line, '--after', 'I think you may have a leak.', '--json']).stdout,
    );
    expect(after.news).toEqual([]);
  });
});

describe('the local page, in a scenario the learner opens', () => {
  let bot: RunningBot;
  let browser: Browser;
  beforeAll(async () => {
    bot = await startBotServer();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  it('shows the prompt to open the call, not a customer message, and the opening once the learner has spoken', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${bot.url}/`);
    await page.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });
    const input = page.getByRole('textbox').last();
    await input.fill('start meter-leak-spotted');
    await input.press('Enter');
    await page.getByText('You open the call', { exact: false }).first().waitFor({ timeout: 20_000 });
    const opening = 'Gareth Price speaking';
    expect(await page.getByText(opening, { exact: false }).count()).toBe(0);

    await input.fill("Hello, is that Mr Price? It's Sam from Tamar Valley Water.");
    await input.press('Enter');
    await page.getByText(opening, { exact: false }).first().waitFor({ timeout: 20_000 });
    // The customer's words come after the learner's, on the page as in the rehearsal.
    const bubbles = await page.locator('.webchat__bubble').allInnerTexts();
    const learnerAt = bubbles.findIndex((t) => t.includes('Hello, is that Mr Price?'));
    const customerAt = bubbles.findIndex((t) => t.includes(opening));
    expect(learnerAt).toBeGreaterThanOrEqual(0);
    expect(customerAt).toBeGreaterThan(learnerAt);

    await input.fill('end');
    await input.press('Enter');
    await page.getByText('Debrief:', { exact: false }).first().waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
    const [record] = await bot.evidence.listFor(`webchat-local/${await page.evaluate(() => localStorage.getItem('servicesim.user'))}`);
    expect(record?.turns.map((t) => t.role)).toEqual(['learner', 'customer']);
  }, 90_000);
});
