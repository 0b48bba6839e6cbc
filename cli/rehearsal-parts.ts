/**
 * The customer and the scorer a rehearsal uses, chosen by the settings `CUSTOMER_MODE` and
 * `JUDGE_MODE`: the one place the modes are turned into parts, for the bot, the terminal, `eval`
 * and the benchmarks alike. The scripted customer and the rules scorer need nothing; a model-driven
 * part needs an endpoint, the prompt files and the rubric its prompts quote.
 */
import type { Customer } from '../engine/customer.ts';
import type { LanguageModel } from '../engine/language-model.ts';
import { createLlmCustomer } from '../engine/llm-customer.ts';
import { createLlmJudge } from '../engine/llm-judge.ts';
import type { ModelPrices, SpendingCap } from '../engine/model-cost.ts';
import type { PromptBook } from '../engine/prompt-book.ts';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scorer } from '../engine/scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { createOpenAiLanguageModel } from '../model/openai-language-model.ts';
import { loggedLanguageModel, type ModelLog } from '../model/logged-language-model.ts';
import { DEFAULT_PROMPTS_DIR, loadPromptBook } from '../model/prompt-files.ts';
import type { Settings } from './settings.ts';
import { UsageError } from './usage-error.ts';

export const CUSTOMER_MODES = ['scripted', 'llm'] as const;
export const JUDGE_MODES = ['rules', 'llm', 'hybrid'] as const;

export type PartSettings = Pick<
  Settings,
  | 'CUSTOMER_MODE'
  | 'JUDGE_MODE'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'AZURE_OPENAI_ENDPOINT'
  | 'AZURE_OPENAI_API_VERSION'
  | 'CUSTOMER_MODEL'
  | 'JUDGE_MODEL'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_TURN_BUDGET_MS'
  | 'LLM_MAX_RETRIES'
  | 'LLM_SPENDING_CAP'
  | 'LLM_PRICE_INPUT'
  | 'LLM_PRICE_CACHED_INPUT'
  | 'LLM_PRICE_OUTPUT'
  | 'SERVICESIM_PROMPTS'
>;

/** The longest a learner is kept waiting for a retry the provider asks for; longer, and the turn falls back at once. */
const MAX_RETRY_WAIT_MS = 5_000;

/** What every model-driven part shares: the prompts, the prices and cap, and how to reach a model. */
interface ModelSetup {
  prompts: PromptBook;
  cap: SpendingCap;
  modelFor(name: string, purpose: 'customer' | 'judge'): LanguageModel;
}

async function modelSetup(settings: PartSettings, log?: ModelLog): Promise<ModelSetup> {
  if (!settings.OPENAI_API_KEY && !settings.OPENAI_BASE_URL)
    throw new UsageError(
      `${[settings.CUSTOMER_MODE === 'llm' ? 'CUSTOMER_MODE=llm' : '', settings.JUDGE_MODE !== 'rules' ? `JUDGE_MODE=${settings.JUDGE_MODE}` : ''].filter(Boolean).join(' and ')} needs a model: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server (see README, "LLM customers and judges")`,
    );
  const prompts = await loadPromptBook(settings.SERVICESIM_PROMPTS || DEFAULT_PROMPTS_DIR).catch((error: Error) => {
    throw new UsageError(`${settings.SERVICESIM_PROMPTS ? 'SERVICESIM_PROMPTS: ' : ''}${error.message}`);
  });
  const prices = pricesOf(settings);
  return {
    prompts,
    cap: { prices, perRehearsal: settings.LLM_SPENDING_CAP },
    modelFor: (name, purpose) => {
      const model = createOpenAiLanguageModel({
        // A local server takes any key; the client library insists on one.
        apiKey: settings.OPENAI_API_KEY || 'not-needed',
        ...(settings.OPENAI_BASE_URL ? { baseURL: settings.OPENAI_BASE_URL } : {}),
        ...(settings.AZURE_OPENAI_ENDPOINT
          ? { azure: { endpoint: settings.AZURE_OPENAI_ENDPOINT, deployment: name, apiVersion: settings.AZURE_OPENAI_API_VERSION } }
          : {}),
        model: name,
        timeoutMs: settings.LLM_TIMEOUT_MS,
        maxRetries: settings.LLM_MAX_RETRIES,
        maxRetryWaitMs: MAX_RETRY_WAIT_MS,
      });
      return log ? loggedLanguageModel(model, log, purpose) : model;
    },
  };
}

/** The LLM_PRICE_* settings: what a model's tokens cost, for the cap, the evidence and `eval`. */
export function pricesOf(settings: Pick<Settings, 'LLM_PRICE_INPUT' | 'LLM_PRICE_CACHED_INPUT' | 'LLM_PRICE_OUTPUT'>): ModelPrices {
  return {
    inputPerMillion: settings.LLM_PRICE_INPUT,
    cachedInputPerMillion: settings.LLM_PRICE_CACHED_INPUT,
    outputPerMillion: settings.LLM_PRICE_OUTPUT,
  };
}

function usesModels(settings: Pick<PartSettings, 'CUSTOMER_MODE' | 'JUDGE_MODE'>): boolean {
  return settings.CUSTOMER_MODE !== 'scripted' || settings.JUDGE_MODE !== 'rules';
}

function createScorerWith(settings: PartSettings, setup: ModelSetup | undefined, library: Library): Scorer {
  const rules = createRulesScorer();
  if (settings.JUDGE_MODE === 'rules' || !setup) return rules;
  return createLlmJudge({
    mode: settings.JUDGE_MODE,
    model: setup.modelFor(settings.JUDGE_MODEL, 'judge'),
    prompts: setup.prompts,
    rules,
    rubric: library.dimensions,
    cap: setup.cap,
  });
}

/** The scorer JUDGE_MODE names, for `score`, `eval` and the benchmarks. */
export async function configuredScorer(settings: PartSettings, library: Library, log?: ModelLog): Promise<Scorer> {
  return createScorerWith(settings, settings.JUDGE_MODE === 'rules' ? undefined : await modelSetup(settings, log), library);
}

/** `log`: where a failed model call is reported (the reason only, never learners' words). */
export async function rehearsalParts(settings: PartSettings, library: Library, log?: ModelLog): Promise<RehearsalParts> {
  const setup = usesModels(settings) ? await modelSetup(settings, log) : undefined;
  const customer: Customer =
    settings.CUSTOMER_MODE === 'llm' && setup
      ? createLlmCustomer({
          model: setup.modelFor(settings.CUSTOMER_MODEL, 'customer'),
          prompts: setup.prompts,
          cap: setup.cap,
          turnBudgetMs: settings.LLM_TURN_BUDGET_MS,
        })
      : createScriptedCustomer();
  return {
    customer,
    scorer: createScorerWith(settings, setup, library),
    ...(setup ? { models: { prompts: { ...setup.prompts.versions }, prices: setup.cap.prices } } : {}),
  };
}

/**
 * What `loadLibrary` checks dimensions against. Every judge has the rules' dimensions (a model
 * judge falls back to the rules dimension by dimension), so this needs no model and no key.
 */
export function scorableDimensions(): { name: string; dimensions: readonly string[] } {
  const rules = createRulesScorer();
  return { name: 'rules scorer', dimensions: rules.dimensions };
}
