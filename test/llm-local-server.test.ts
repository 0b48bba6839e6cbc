/**
 * A whole rehearsal through the bot with the LLM customer and the hybrid judge, against a local
 * OpenAI-compatible HTTP server started by the test (as Ollama, vLLM or LM Studio would be run):
 * real HTTP from the openai client, over a socket, with no interception.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rehearsalParts } from '../cli/rehearsal-parts.ts';
import { readSettings } from '../cli/settings.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { scoreTranscript } from '../engine/rules-scorer.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { sayAsLocalPage } from './local-page-message.ts';
import { startOpenAiCompatibleServer, type ChatRequestBody, type OpenAiCompatibleServer } from './openai-compatible-server.ts';

let llm: OpenAiCompatibleServer;
let bot: RunningBot;

/** The customer says what the engine decided, in slightly different words. */
function customerTurn(body: ChatRequestBody): string {
  const meaning = /WHAT YOU MEAN TO SAY: (.*)/.exec(body.messages.at(-1)!.content)?.[1] ?? '';
  const reply = `Well... ${meaning}`;
  return JSON.stringify({ reply, reading: { questions: [], offers: [], empathy: true, refusals: [], approvalSought: false } });
}

/** A hybrid judge that confirms every rules finding, quoting the first advisor turn. */
function judgeTurn(body: ChatRequestBody): string {
  const user = body.messages.at(-1)!.content;
  const [, turn, quote] = /Turn (\d+) \(advisor\): (.*)/.exec(user)!;
  const levels = [...user.matchAll(/^- ([a-z-]+): level (\d|none)/gm)];
  const breaches = [...user.matchAll(/^- breach (\d+):/gm)];
  return JSON.stringify({
    dimensions: levels.map(([, id, level]) => ({
      id,
      level: level === 'none' ? null : Number(level),
      evidence: [{ turn: Number(turn), quote, reason: 'as the rules found' }],
      suggestion: `Keep practising ${id}.`,
      rulesVerdict: { agrees: true, reason: 'the evidence bears it out' },
    })),
    breaches: [],
    rulesBreachVerdicts: breaches.map(([, index]) => ({ index: Number(index), upheld: true, reason: 'made before approval' })),
  });
}

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer((body) => ({
    content: body.response_format?.json_schema?.name === 'rehearsal_marks' ? judgeTurn(body) : customerTurn(body),
  }));
  const library = await loadLibrary();
  const settings = readSettings({
    CUSTOMER_MODE: 'llm',
    JUDGE_MODE: 'hybrid',
    OPENAI_BASE_URL: llm.baseURL,
    CUSTOMER_MODEL: 'local-small',
    JUDGE_MODEL: 'local-large',
  });
  bot = await startBotServer({}, undefined, { rehearsal: await rehearsalParts(settings, library) });
}, 60_000);
afterAll(async () => {
  await bot?.close();
  await llm?.close();
});

it('a whole rehearsal in llm + hybrid mode: the customer’s words from the server, the rules confirmed, all of it in the evidence', async () => {
  const conversation = 'local-llm-1';
  const lines = [
    "I'm really sorry, a flooded kitchen three weeks after delivery is the last thing you need. When does it leak?",
    'Have the hoses at the back been moved or checked since our team plumbed it in?',
    // Over the £25 the learner may give on their own: a breach the hybrid judge is asked about.
    "I'll pay you £100 goodwill today for the day off you lost.",
    'I can arrange a like-for-like replacement, delivered and installed on Saturday, with the faulty one collected. Would that suit you?',
    "Great. So that's a replacement on Saturday between 8am and 12pm. Is there anything else I can help with?",
  ];
  await sayAsLocalPage(bot.url, conversation, 'start faulty-washing-machine');
  const seen: string[] = [];
  for (const line of lines) {
    const replies = await sayAsLocalPage(bot.url, conversation, line);
    seen.push(replies.find((r) => r.type === 'message' && r.text)?.text ?? '');
  }
  if (!seen.at(-1)!.match(/bye/i)) await sayAsLocalPage(bot.url, conversation, 'end');
  const [record] = await bot.evidence.listFor(`webchat-local/learner-of-${conversation}`);
  expect(record).toBeDefined();

  // Every customer turn came from the server, in its words.
  for (const words of seen) expect(words).toMatch(/^Well\.\.\. /);
  const customerCalls = llm.requests.filter((r) => r.response_format?.json_schema?.name === 'customer_turn');
  expect(customerCalls.map((r) => r.model)).toEqual(lines.map(() => 'local-small'));
  const judgeCalls = llm.requests.filter((r) => r.response_format?.json_schema?.name === 'rehearsal_marks');
  expect(judgeCalls.map((r) => [r.model, r.temperature])).toEqual([['local-large', 0]]);

  expect(record!.customer.kind).toBe('llm');
  expect(record!.scorer).toMatchObject({ kind: 'hybrid', id: 'hybrid-judge' });
  const use = record!.modelUse!;
  expect(use.customerTurns.map((t) => [t.turn, t.calls.map((c) => c.outcome), t.fallback])).toEqual(
    lines.map((_, i) => [2 * i + 2, ['used'], undefined]),
  );
  expect(use.usage.inputTokens).toBeGreaterThan(0);

  // The hybrid judge confirmed the rules: the same levels, a verdict on each, nothing flagged.
  const rules = scoreTranscript(
    (await loadLibrary()).scenarios.find((s) => s.id === 'faulty-washing-machine')!,
    record!.turns.map(({ role, text }) => ({ role, text })),
  );
  const judgement = record!.report.judgement!;
  expect(judgement).toMatchObject({ mode: 'hybrid', model: 'local-large', flagged: false, droppedQuotes: 0 });
  expect(judgement.verdicts.length).toBeGreaterThanOrEqual(Object.keys(rules.dimensions).length);
  for (const [id, dimension] of Object.entries(record!.report.dimensions)) expect(dimension.level).toBe(rules.dimensions[id]!.level);
  expect(rules.breaches.map((b) => b.action)).toContain('goodwill-payment');
  expect(record!.report.breaches).toEqual(rules.breaches);
  expect(judgement.verdicts.filter((v) => v.finding.startsWith('breach'))).toEqual(
    rules.breaches.map((b, i) => ({ finding: `breach ${i} (turn ${b.turn}, ${b.action})`, agrees: true, reason: 'made before approval' })),
  );
  // The judge saw the rules' findings as evidence, inside their tags.
  expect(judgeCalls[0]!.messages.at(-1)!.content).toMatch(/<rules_findings>[\s\S]*Levels:[\s\S]*<\/rules_findings>/);
});
