/**
 * What the LLM customer costs a turn on our side of the wire: the engine's own work per learner turn
 * (filling the prompt from the prompt files, the reply guards, the state and its window) with the
 * model's waiting taken away, so a slow turn in production can be put down to the model and not to
 * us. Three ways through the same long rehearsal, turn by turn:
 *
 * - the scripted customer: the floor every turn pays (reading the learner's words, scoring the turn);
 * - the LLM customer with a model in this process that answers at once (no HTTP): the floor plus the
 *   engine's LLM work. The difference is the engine's overhead; target ≤ 5 ms at p50;
 * - the LLM customer through the real adapter (the openai client) to a local OpenAI-compatible server
 *   that answers at once: adds the client and HTTP on loopback (and the stand-in server's own work,
 *   as it shares this process).
 *
 * Also the prompt's size (characters / 4, as tokens) at learner turns 2, 10 and 30, which must not
 * grow with the turn number: the customer sees a bounded window, so a rehearsal's cost grows
 * linearly. Runs in well under a minute.
 */
import type { Customer } from '../engine/customer.ts';
import { NO_USAGE, type ChatMessage, type LanguageModel, type StructuredAnswer, type StructuredRequest } from '../engine/language-model.ts';
import { createLlmCustomer, CustomerAnswerSchema } from '../engine/llm-customer.ts';
import { FREE } from '../engine/model-cost.ts';
import { Rehearsal, type Exchange } from '../engine/rehearsal.ts';
import { openLibrary } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { createOpenAiLanguageModel } from '../model/openai-language-model.ts';
import { loadPromptBook } from '../model/prompt-files.ts';
import { startOpenAiCompatibleServer } from '../test/openai-compatible-server.ts';
import { percentile } from './latency-stats.ts';

const SCENARIO = 'faulty-washing-machine';
/** Learner turns in each rehearsal: long enough to see turn 30. */
const TURNS = 32;
/** Rehearsals measured per way, after one to warm up: about 600 turns each. */
const ROUNDS = 20;
/** The engine's own work per LLM customer turn, at p50, that we hold ourselves to. */
const TARGET_OVERHEAD_MS = 5;
const PROMPT_TURNS = [2, 10, 30];

/**
 * Questions, empathy and checking, cycled: none offers, refers, escalates or closes, so the customer
 * never ends the rehearsal and every turn is a full turn (an ended rehearsal's turns would be cheap).
 */
const LEARNER_LINES = [
  "I'm so sorry to hear that. Can you tell me exactly what happened?",
  'When did you first notice the problem?',
  "That sounds really frustrating, and I understand why you're upset.",
  'Could you tell me a bit more about how it has affected you at home?',
  'Let me just check the details I have here for your order.',
  'What would you most like us to do about it?',
  'Thanks for explaining. Has anything like this happened before?',
  'I can see why this has been so stressful for you.',
];

/** A customer's answer that passes the reply guards (no goodbye, no acceptance, nothing hidden), with an empty reading. */
const CANNED = CustomerAnswerSchema.parse({
  reply: 'Right. Well, I just want someone to take this seriously, to be honest.',
  reading: { questions: [], offers: [], empathy: false, refusals: [], approvalSought: false },
});

const library = await openLibrary();
const scenario = library.scenarios.find((s) => s.id === SCENARIO);
if (!scenario) throw new Error(`no scenario ${SCENARIO} in the library`);
const prompts = await loadPromptBook();
const cap = { prices: FREE, perRehearsal: 0 };
const rules = createRulesScorer();

/** Every request's messages, in order, so the prompt's size can be read by turn. */
let requests: (readonly ChatMessage[])[] = [];
const instant: LanguageModel = {
  model: 'instant',
  async structured<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>> {
    requests.push(request.messages);
    return { value: CANNED as T, usage: NO_USAGE, model: 'instant' };
  },
};
const server = await startOpenAiCompatibleServer(() => ({ content: JSON.stringify(CANNED) }));
const overHttp = createOpenAiLanguageModel({
  apiKey: 'bench',
  baseURL: server.baseURL,
  model: 'local-instant',
  timeoutMs: 10_000,
  maxRetries: 0,
  maxRetryWaitMs: 0,
});

const ways: { name: string; customer: Customer; times: number[]; fallbacks: number }[] = [
  { name: 'scripted customer', customer: createScriptedCustomer(), times: [], fallbacks: 0 },
  {
    name: 'LLM customer, in-process instant model',
    customer: createLlmCustomer({ model: instant, prompts, cap }),
    times: [],
    fallbacks: 0,
  },
  { name: 'LLM customer, local HTTP endpoint', customer: createLlmCustomer({ model: overHttp, prompts, cap }), times: [], fallbacks: 0 },
];

/** One long rehearsal: each learner turn's time in ms, and its exchanges. */
async function rehearse(customer: Customer): Promise<{ times: number[]; exchanges: Exchange[] }> {
  const rehearsal = await Rehearsal.start(scenario!, { customer, scorer: rules });
  const times: number[] = [];
  const exchanges: Exchange[] = [];
  for (let i = 0; i < TURNS; i++) {
    if (rehearsal.ended) throw new Error(`the customer ended the rehearsal at learner turn ${i + 1}: the bench's lines must not end it`);
    const start = performance.now();
    exchanges.push(await rehearsal.learnerSays(LEARNER_LINES[i % LEARNER_LINES.length]!));
    times.push(performance.now() - start);
  }
  return { times, exchanges };
}

try {
  // Warm up every way (the JIT, wink-nlp's model, the client's connection), then measure them in
  // turn, round by round, so a slow patch of the machine falls on all three alike.
  for (const way of ways) await rehearse(way.customer);
  requests = [];
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of ways) {
      const { times, exchanges } = await rehearse(way.customer);
      way.times.push(...times);
      way.fallbacks += exchanges.filter((e) => e.model?.fallback).length;
    }
  }
  const seconds = (performance.now() - started) / 1000;

  const p50 = (times: number[]) =>
    percentile(
      [...times].sort((a, b) => a - b),
      50,
    );
  const p95 = (times: number[]) =>
    percentile(
      [...times].sort((a, b) => a - b),
      95,
    );
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  process.stdout.write(
    `LLM customer turn overhead (${SCENARIO}, ${ROUNDS} rehearsals of ${TURNS} learner turns each way, ${seconds.toFixed(1)} s)\n\n`,
  );
  process.stdout.write('| per learner turn | p50 | p95 | model replies not used |\n|---|---|---|---|\n');
  for (const way of ways)
    process.stdout.write(
      `| ${way.name} | ${ms(p50(way.times))} | ${ms(p95(way.times))} | ${way.name.startsWith('scripted') ? '—' : `${way.fallbacks} of ${way.times.length}`} |\n`,
    );
  const [scripted, inProcess, http] = ways as [(typeof ways)[0], (typeof ways)[0], (typeof ways)[0]];
  const overhead = p50(inProcess.times) - p50(scripted.times);
  process.stdout.write(
    `\nEngine overhead per LLM customer turn (in-process minus scripted, p50): ${ms(overhead)} — target ≤ ${TARGET_OVERHEAD_MS} ms: ${overhead <= TARGET_OVERHEAD_MS ? 'met' : 'NOT MET'}\n`,
  );
  process.stdout.write(
    `Client and loopback HTTP on top (local endpoint minus in-process, p50): ${ms(p50(http.times) - p50(inProcess.times))}\n`,
  );

  // The in-process model saw every turn of the measured rehearsals in order: the first one's turn t is request t − 1.
  const tokensAt = (turn: number) => Math.round(requests[turn - 1]!.reduce((n, m) => n + m.content.length, 0) / 4);
  const [, middle, late] = PROMPT_TURNS.map(tokensAt) as [number, number, number];
  process.stdout.write(
    `Prompt tokens per call (characters / 4): ${PROMPT_TURNS.map((turn) => `learner turn ${turn}: ${tokensAt(turn)}`).join(', ')} — turn ${PROMPT_TURNS[2]} is ${(late / middle).toFixed(2)}× turn ${PROMPT_TURNS[1]}: ${late <= middle * 1.1 ? 'bounded' : 'GROWING'} (turn ${PROMPT_TURNS[0]}'s window is not yet full)\n`,
  );
} finally {
  await server.close();
}
