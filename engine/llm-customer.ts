/**
 * The LLM customer: the scenario's brain, a person's voice. The scripted customer decides every
 * turn (what is revealed, the mood, push-back, acceptance, approval awaited, the ending) from the
 * rules' reading of the learner's words; the model is told that decision and says it naturally, in
 * character, answering what the learner actually said. In the same call it reads the learner's
 * turn into a structured reading, kept with the turn for the judge and for tuning the rules.
 *
 * @remarks
 * So the customer is never more cooperative than its scenario, and cannot leak a fact it was never
 * told. A reply the guards refuse (`customer-reply-guards.ts`) is asked for once more; a second
 * refusal, or any model failure, and the scripted words are used for that turn. The learner sees
 * only a customer's words either way; the turn's note says which, and why.
 *
 * The state carries the scripted customer's state, the last few exchanges (a bounded window, so a
 * turn's prompt is the same size at turn 40 as at turn 4, and a rehearsal's tokens grow linearly)
 * and what has been spent, for the spending cap.
 */
import { z } from 'zod';
import { IncompatibleStateError, type ComponentIdentity, type ComponentState } from './component-identity.ts';
import type { Customer, CustomerNote, CustomerReply } from './customer.ts';
import { checkCustomerReply, type GuardFinding } from './customer-reply-guards.ts';
import { asFailure, type ChatMessage, type LanguageModel } from './language-model.ts';
import { costOf, mayCall, type SpendingCap } from './model-cost.ts';
import { ModelReadingSchema } from './model-use.ts';
import type { PromptBook } from './prompt-book.ts';
import { asPromptData } from './prompt-data.ts';
import type { Scenario } from './scenario-schema.ts';
import { createScriptedCustomer, readScriptedState, type ScriptedState } from './scripted-customer.ts';

const STATE_VERSION = 1;
/** Exchanges the model sees besides the current one: enough to answer naturally, few enough to stay cheap. */
const WINDOW_EXCHANGES = 4;
const WINDOW_LEARNER_CHARS = 1000;
const WINDOW_CUSTOMER_CHARS = 600;
/** A customer's reply and a reading fit well within this; more is a model rambling. */
const MAX_OUTPUT_TOKENS = 700;
/** Some variety in wording; the meaning is fixed by the engine, so this never changes what happens. */
const TEMPERATURE = 0.7;

const MOODS = ['calm', 'uneasy', 'annoyed', 'angry', 'furious'] as const;

export const CustomerAnswerSchema = z.object({ reply: z.string(), reading: ModelReadingSchema });

const LlmStateSchema = z.object({
  kind: z.literal('llm'),
  version: z.literal(STATE_VERSION),
  scripted: z.looseObject({ kind: z.string(), version: z.number() }),
  window: z.array(z.object({ learner: z.string(), customer: z.string() })),
  spent: z.number().min(0),
});
type LlmState = z.infer<typeof LlmStateSchema>;

export interface LlmCustomerSettings {
  model: LanguageModel;
  prompts: PromptBook;
  cap: SpendingCap;
  /**
   * The longest a learner waits for the customer's reply, every attempt and retry included; then the
   * scripted words are used. Teams expects a bot to answer within 15 seconds.
   */
  turnBudgetMs?: number;
}

const DEFAULT_TURN_BUDGET_MS = 12_000;

export function llmCustomerIdentity(model: string, prompts: PromptBook): ComponentIdentity {
  return {
    kind: 'llm',
    id: 'llm-customer',
    version: `2026.11.30+${model}+customer-prompt-${prompts.versions.customer}+reader-prompt-${prompts.versions.reader}`,
  };
}

export function createLlmCustomer({ model, prompts, cap, turnBudgetMs = DEFAULT_TURN_BUDGET_MS }: LlmCustomerSettings): Customer {
  const scripted = createScriptedCustomer();
  const identity = llmCustomerIdentity(model.model, prompts);
  return {
    identity,
    async open(input) {
      // The opening is the author's own words: no call, so a rehearsal starts at once. In a scenario the
      // learner opens there are none yet: the scripted decision puts the opening in the first reply's
      // meaning, and the model voices it as the answer to what the learner said.
      const opening = await scripted.open(input);
      const state: LlmState = { kind: 'llm', version: STATE_VERSION, scripted: opening.state, window: [], spent: 0 };
      return { ...opening, state };
    },
    async reply({ scenario, state: stored, text, reading }): Promise<CustomerReply & { note: CustomerNote }> {
      const state = readLlmState(stored);
      const deadline = Date.now() + turnBudgetMs;
      const decided = await scripted.reply({ scenario, state: state.scripted as ComponentState, text, reading });
      const decision = readScriptedState(decided.state);
      const calls: CustomerNote['calls'] = [];
      let spent = state.spent;
      const settle = (words: string, note: Omit<CustomerNote, 'calls'>): CustomerReply & { note: CustomerNote } => ({
        text: words,
        status: decided.status,
        state: {
          kind: 'llm',
          version: STATE_VERSION,
          scripted: decided.state,
          window: [...state.window, { learner: clip(text, WINDOW_LEARNER_CHARS), customer: clip(words, WINDOW_CUSTOMER_CHARS) }].slice(
            -WINDOW_EXCHANGES,
          ),
          spent,
        } satisfies LlmState,
        note: { calls, ...note, prompt: `customer ${prompts.versions.customer}, reader ${prompts.versions.reader}` },
      });
      const scriptedWords = (reason: string, detail?: string) =>
        settle(decided.text, { fallback: { reason, ...(detail ? { detail } : {}) } });

      const fill = {
        customerName: scenario.customer.name,
        organisation: scenario.setting.organisation,
        sector: scenario.setting.sector,
        channel: scenario.setting.channel,
        learnerRole: scenario.setting.learnerRole,
        traits: scenario.customer.traits.length > 0 ? scenario.customer.traits.join(', ') : 'an ordinary customer',
        opening: scenario.customer.opening,
        wants: scenario.customer.wants,
        told: toldSoFar(scenario, readScriptedState(state.scripted)),
        window: windowMessages(state.window),
        learnerText: asPromptData(text),
        mood: MOODS[decision.mood] ?? 'annoyed',
        meaning: decided.text,
        ending: decided.status.ended
          ? 'This reply ends the conversation: close it as what you mean to say does.'
          : 'The conversation goes on after this reply: do not say goodbye.',
      };
      let messages: ChatMessage[];
      try {
        messages = await prompts.customer(fill);
      } catch (error) {
        return scriptedWords('prompt-error', (error as Error).message.slice(0, 200));
      }
      const publicText = [
        fill.opening,
        fill.wants,
        fill.told,
        text,
        decided.text,
        scenario.customer.asksFor?.says ?? '',
        ...state.window.flatMap((w) => [w.learner, w.customer]),
      ].join('\n');
      const guardContext = {
        scenario,
        revealed: decision.revealed,
        publicText,
        ends: decided.status.ended,
        // An accepted referral is agreement too: "that works for me" is on the decision.
        accepts: decision.accepted !== undefined || decision.closingWith !== undefined,
      };

      let refused: GuardFinding | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!mayCall(spent, cap, { messages, maxOutputTokens: MAX_OUTPUT_TOKENS }))
          return scriptedWords('spending-cap', `spent ${spent.toFixed(4)} of ${cap.perRehearsal}`);
        // A refused reply is asked for again only while the learner's wait allows.
        if (attempt > 0 && Date.now() >= deadline) break;
        try {
          const answer = await model.structured({
            messages,
            schema: CustomerAnswerSchema,
            schemaName: 'customer_turn',
            temperature: TEMPERATURE,
            maxOutputTokens: MAX_OUTPUT_TOKENS,
            deadline,
          });
          spent += costOf(answer.usage, cap.prices);
          const finding = checkCustomerReply(answer.value.reply, guardContext);
          calls.push({ model: answer.model, usage: answer.usage, outcome: finding ?? 'used' });
          if (!finding) return settle(answer.value.reply.trim(), { reading: answer.value.reading });
          refused = finding;
        } catch (error) {
          const failure = asFailure(error);
          spent += costOf(failure.usage, cap.prices);
          calls.push({ model: model.model, usage: failure.usage, outcome: failure.reason });
          // A failed call is not repeated here: the client has already retried what is worth retrying.
          return scriptedWords(failure.reason, failure.message.slice(0, 200));
        }
      }
      return scriptedWords(
        refused!,
        calls.length > 1 ? 'refused twice by the reply guards' : 'refused by the reply guards, with no time left to ask again',
      );
    },
  };
}

function readLlmState(stored: ComponentState): LlmState {
  const parsed = LlmStateSchema.safeParse(stored);
  if (!parsed.success) throw new IncompatibleStateError('the LLM customer', { kind: stored.kind, version: stored.version });
  return parsed.data;
}

/** What the customer has told so far, in the words first used, so the model repeats them consistently. */
function toldSoFar(scenario: Scenario, { revealed, told }: ScriptedState): string {
  const lines = revealed.map((id) => told?.[id] ?? scenario.facts.find((f) => f.id === id)?.says[0]).filter((l) => l !== undefined);
  return lines.length > 0 ? lines.join(' ') : 'nothing yet';
}

function windowMessages(window: LlmState['window']): ChatMessage[] {
  return window.flatMap(({ learner, customer }) => [
    { role: 'user' as const, content: `<advisor_message>\n${asPromptData(learner)}\n</advisor_message>` },
    { role: 'assistant' as const, content: customer },
  ]);
}

/** Cut by characters, not UTF-16 units, so an emoji is never split into half a character. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${Array.from(text.slice(0, max + 1))
    .slice(0, max - 1)
    .join('')}…`;
}
