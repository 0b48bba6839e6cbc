/**
 * The LLM customer and judge in the engine, with the fake model (which parses and validates its
 * answers exactly as the real adapter does): the spending cap, state that survives a restart, and
 * state from another kind of customer refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IncompatibleStateError } from '../engine/component-identity.ts';
import { createLlmCustomer } from '../engine/llm-customer.ts';
import { createLlmJudge } from '../engine/llm-judge.ts';
import { Rehearsal, scoreRehearsal, type Exchange, type RehearsalParts } from '../engine/rehearsal.ts';
import { loadLibrary, type Library } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { createFakeLanguageModel } from '../model/fake-language-model.ts';
import { loadPromptBook } from '../model/prompt-files.ts';
import type { PromptBook } from '../engine/prompt-book.ts';

let library: Library;
let scenario: Scenario;
let prompts: PromptBook;
beforeAll(async () => {
  library = await loadLibrary();
  scenario = library.scenarios.find((s) => s.id === 'faulty-washing-machine')!;
  prompts = await loadPromptBook();
});

/** A model that says what it is asked to mean, costing 1,000 input and 100 output tokens a call. */
const faithful = () =>
  createFakeLanguageModel((request) => {
    const meaning = /WHAT YOU MEAN TO SAY: (.*)/.exec(request.messages.at(-1)!.content)?.[1] ?? 'Right.';
    return {
      content: JSON.stringify({
        reply: meaning,
        reading: { questions: [], offers: [], empathy: false, refusals: [], approvalSought: false },
      }),
      usage: { inputTokens: 1000, outputTokens: 100 },
    };
  });

/** £1 per million input tokens, £10 per million output: a call above costs £0.002. */
const prices = { inputPerMillion: 1, cachedInputPerMillion: 0.5, outputPerMillion: 10 };

describe('the spending cap', () => {
  it('stops the customer’s calls once a rehearsal has spent its cap, and the judge’s', async () => {
    const model = faithful();
    // A call is made only if what was spent plus the most it could cost (its prompt, and 700 output
    // tokens at £10 a million: about £0.008) stays within the cap.
    const cap = { prices, perRehearsal: 0.013 };
    const parts: RehearsalParts = {
      customer: createLlmCustomer({ model, prompts, cap }),
      scorer: createLlmJudge({ mode: 'llm', model, prompts, rules: createRulesScorer(), rubric: library.dimensions, cap }),
    };
    const rehearsal = await Rehearsal.start(scenario, parts);
    const exchanges: Exchange[] = [];
    for (const line of ['When does it leak?', 'Has it been moved?', 'How have you been using it?', 'When did you buy it?'])
      exchanges.push(await rehearsal.learnerSays(line));
    // £0.002 a call: after three, £0.006 spent, and £0.006 + £0.008 is over the cap, so the fourth is not made.
    expect(exchanges.map((e) => e.model?.fallback?.reason)).toEqual([undefined, undefined, undefined, 'spending-cap']);
    expect(exchanges[3]!.model!.calls).toEqual([]);
    expect(model.calls).toHaveLength(3);
    const report = await scoreRehearsal(parts.scorer, scenario, rehearsal.opening, exchanges);
    expect(report.judgement?.fallback?.reason).toBe('spending-cap');
    expect(model.calls).toHaveLength(3);
  });

  it('a cap of 0 is no cap', async () => {
    const model = faithful();
    const customer = createLlmCustomer({ model, prompts, cap: { prices, perRehearsal: 0 } });
    const rehearsal = await Rehearsal.start(scenario, { customer, scorer: createRulesScorer() });
    for (let i = 0; i < 6; i++) expect((await rehearsal.learnerSays(`Question ${i}: when does it leak?`)).model?.fallback).toBeUndefined();
  });
});

describe('the LLM customer’s state', () => {
  it('carries on after a restart from the stored snapshot, as if never stopped: the same prompts, window and spending', async () => {
    const cap = { prices, perRehearsal: 0 };
    const lines = [
      "I'm sorry. When does it leak?",
      'Have the hoses been moved?',
      'Would a replacement on Saturday suit you?',
      'How have you been using it?',
      'When did you buy it?',
      'Anything else?',
    ];
    const straightModel = faithful();
    const straight = await Rehearsal.start(scenario, {
      customer: createLlmCustomer({ model: straightModel, prompts, cap }),
      scorer: createRulesScorer(),
    });
    for (const line of lines) await straight.learnerSays(line);

    const restartedModel = faithful();
    const parts = () => ({ customer: createLlmCustomer({ model: restartedModel, prompts, cap }), scorer: createRulesScorer() });
    let stopped = await Rehearsal.start(scenario, parts());
    for (const line of lines) {
      await stopped.learnerSays(line);
      stopped = Rehearsal.restore(scenario, parts(), JSON.parse(JSON.stringify(stopped.snapshot)));
    }
    // What the model was sent, turn by turn (the window of earlier exchanges included), is the same.
    expect(restartedModel.calls.map((c) => c.messages)).toEqual(straightModel.calls.map((c) => c.messages));
    expect(stopped.snapshot.customer).toEqual(straight.snapshot.customer);
    expect(stopped.snapshot.customer.spent).toBeCloseTo(6 * 0.002, 10);
  });

  it('is refused to the scripted customer, and the scripted customer’s to it', async () => {
    const llm = createLlmCustomer({ model: faithful(), prompts, cap: { prices, perRehearsal: 0 } });
    const scripted = createScriptedCustomer();
    const fromLlm = await Rehearsal.start(scenario, { customer: llm, scorer: createRulesScorer() });
    const fromScript = await Rehearsal.start(scenario, { customer: scripted, scorer: createRulesScorer() });
    await expect(
      Rehearsal.restore(scenario, { customer: scripted, scorer: createRulesScorer() }, fromLlm.snapshot).learnerSays('Hello?'),
    ).rejects.toThrow(IncompatibleStateError);
    await expect(
      Rehearsal.restore(scenario, { customer: llm, scorer: createRulesScorer() }, fromScript.snapshot).learnerSays('Hello?'),
    ).rejects.toThrow(IncompatibleStateError);
  });

  it('moves exactly as the scripted customer does: the model only words it', async () => {
    const llm = await Rehearsal.start(scenario, {
      customer: createLlmCustomer({ model: faithful(), prompts, cap: { prices, perRehearsal: 0 } }),
      scorer: createRulesScorer(),
    });
    const script = await Rehearsal.start(scenario, { customer: createScriptedCustomer(), scorer: createRulesScorer() });
    for (const line of [
      'Calm down, sir.',
      "I'm so sorry. When does it leak?",
      'I can offer a replacement on Saturday.',
      'Great, so that is confirmed for Saturday. Anything else?',
    ]) {
      const a = await llm.learnerSays(line);
      const b = await script.learnerSays(line);
      expect([a.mood, llm.ended, llm.endReason]).toEqual([b.mood, script.ended, script.endReason]);
      if (llm.ended) break;
    }
  });
});
