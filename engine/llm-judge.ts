/**
 * The LLM judge, and the hybrid one: a rehearsal scored by a model, in the rules scorer's report
 * shape, with everything the model says checked before it counts.
 *
 * @remarks
 * - Evidence quotes must occur word for word in a learner turn (`verbatim-quote.ts`); others are
 *   dropped, as are quotes from a turn that tried to instruct the marker. A level above 0 left with
 *   no quote is not taken: the rules' level stands for that dimension (a claim without evidence is
 *   no evidence, and this is what keeps a learner's "score me 3" from scoring anything).
 * - A breach stands only if the scenario's machine-readable authority bears it out
 *   (`authority-breaches.ts#ruleCrossed`, the rules' own test): an offer within the learner's limit,
 *   or made after approval was sought, is rejected with its reason. A false "beyond your authority"
 *   on good work costs more trust than anything, so the model cannot invent one.
 * - `hybrid`: the rules' findings go to the model as evidence to confirm or reject; where the model
 *   rejects a rules breach, with a reason, it goes. Wherever the two differ by two levels, or on a
 *   breach, the report is flagged for the tutor (`score-flags.ts`), in either mode.
 * - Per-turn scoring (practice-mode coaching) stays with the rules: instant, and free.
 * - A failed call, or the spending cap reached, gives the rules' report with the reason recorded.
 */
import { z } from 'zod';
import { routeFor } from './authority-check.ts';
import { ruleCrossed } from './authority-breaches.ts';
import type { ComponentIdentity } from './component-identity.ts';
import { readConversation } from './conversation-reading.ts';
import { triesToInstruct } from './instruction-attempts.ts';
import { findingsText, rubricText, scenarioText, transcriptText } from './judge-prompt-text.ts';
import { NO_USAGE, type LanguageModel, type TokenUsage } from './language-model.ts';
import type { LearnerTurn } from './learner-turn.ts';
import { asFailure } from './llm-customer.ts';
import { costOf, mayCall, type SpendingCap } from './model-cost.ts';
import type { PromptBook } from './prompt-book.ts';
import type { RubricDimension } from './rubric-library.ts';
import { ACTION_KINDS, type ActionKind, type Scenario } from './scenario-schema.ts';
import type { Breach, DimensionScore, Judgement, ScoreReport } from './score-report.ts';
import type { Scorer, ScoreInput } from './scorer.ts';
import { occursIn } from './verbatim-quote.ts';

/** Room for every dimension's evidence and suggestion; a longer answer is a model rambling. */
const MAX_OUTPUT_TOKENS = 3000;
/** Two levels apart is a disagreement a tutor should settle; one is ordinary marker variation. */
const DISAGREEMENT_LEVELS = 2;

export const JudgeAnswerSchema = z.object({
  dimensions: z.array(
    z.object({
      id: z.string(),
      level: z.number().int().min(0).max(3).nullable(),
      evidence: z.array(z.object({ turn: z.number().int(), quote: z.string(), reason: z.string() })),
      suggestion: z.string(),
      /** Hybrid only: the verdict on the rules' level. */
      rulesVerdict: z.object({ agrees: z.boolean(), reason: z.string() }).nullable(),
    }),
  ),
  breaches: z.array(
    z.object({ turn: z.number().int(), quote: z.string(), action: z.string(), amount: z.number().nullable(), rule: z.string() }),
  ),
  /** Hybrid only: the verdict on each rules breach, by its index in the findings. */
  rulesBreachVerdicts: z.array(z.object({ index: z.number().int(), upheld: z.boolean(), reason: z.string() })),
});
export type JudgeAnswer = z.infer<typeof JudgeAnswerSchema>;

export type JudgeMode = 'llm' | 'hybrid';

export interface LlmJudgeSettings {
  mode: JudgeMode;
  model: LanguageModel;
  prompts: PromptBook;
  /** The rules scorer: its report is the fallback, the hybrid's findings, and the per-turn scorer. */
  rules: Scorer;
  /** The rubric's dimensions, whose level descriptors and criteria go into the prompt. */
  rubric: readonly RubricDimension[];
  cap: SpendingCap;
}

export function llmJudgeIdentity(mode: JudgeMode, model: string, prompts: PromptBook): ComponentIdentity {
  return { kind: mode, id: `${mode}-judge`, version: `2026.11.30+${model}+judge-prompt-${prompts.versions.judge}` };
}

export function createLlmJudge(settings: LlmJudgeSettings): Scorer {
  const { mode, model, prompts, rules, cap } = settings;
  return {
    identity: llmJudgeIdentity(mode, model.model, prompts),
    dimensions: rules.dimensions,
    open: (scenario) => rules.open(scenario),
    scoreTurn: (input) => rules.scoreTurn(input),
    async score(input) {
      const readings = input.readings ?? readConversation(input.scenario, input.turns).learnerTurns;
      const byRules = await rules.score({ ...input, readings });
      const note = (fields: Partial<Judgement>): Judgement => ({
        mode,
        model: model.model,
        prompt: prompts.versions.judge,
        calls: [],
        droppedQuotes: 0,
        unsupported: [],
        rejectedBreaches: [],
        verdicts: [],
        disagreements: [],
        flagged: false,
        ...fields,
      });
      const spent = costOf(input.modelUsage ?? NO_USAGE, cap.prices);
      if (!mayCall(spent, cap)) return { ...byRules, judgement: note({ fallback: { reason: 'spending-cap' } }) };
      let answer: { value: JudgeAnswer; usage: TokenUsage; model: string };
      try {
        const messages = await prompts.judge({
          scenario: scenarioText(input.scenario),
          rubric: rubricText(settings.rubric, Object.keys(byRules.dimensions)),
          transcript: transcriptText(input.turns),
          ...(mode === 'hybrid' ? { findings: findingsText(byRules) } : {}),
        });
        answer = await model.structured({
          messages,
          schema: JudgeAnswerSchema,
          schemaName: 'rehearsal_marks',
          temperature: 0,
          maxOutputTokens: MAX_OUTPUT_TOKENS,
        });
      } catch (error) {
        const failure = asFailure(error);
        return {
          ...byRules,
          judgement: note({
            calls: [{ model: model.model, usage: failure.usage, outcome: failure.reason }],
            fallback: { reason: failure.reason, detail: failure.message.slice(0, 200) },
          }),
        };
      }
      const judged = judgeReport(input, readings, byRules, answer.value, mode);
      return {
        ...judged.report,
        judgement: note({ ...judged.judgement, calls: [{ model: answer.model, usage: answer.usage, outcome: 'used' }] }),
      };
    },
  };
}

/** The judge's answer, checked against the transcript and the scenario, as a report. */
export function judgeReport(
  input: Pick<ScoreInput, 'scenario' | 'turns'>,
  readings: readonly LearnerTurn[],
  byRules: ScoreReport,
  answer: JudgeAnswer,
  mode: JudgeMode,
): {
  report: ScoreReport;
  judgement: Pick<Judgement, 'droppedQuotes' | 'unsupported' | 'rejectedBreaches' | 'verdicts' | 'disagreements' | 'flagged'>;
} {
  const { scenario, turns } = input;
  const learnerTurns = turns.map((t, i) => ({ ...t, number: i + 1 })).filter((t) => t.role === 'learner');
  const instructing = new Set(learnerTurns.filter((t) => triesToInstruct(t.text)).map((t) => t.number));
  const usable = learnerTurns.filter((t) => !instructing.has(t.number));
  /** The learner turn a quote is in: the one named if it is there, else the first that has it. */
  const turnOf = (quote: string, named: number) =>
    (usable.find((t) => t.number === named && occursIn(quote, t.text)) ?? usable.find((t) => occursIn(quote, t.text)))?.number;

  let droppedQuotes = 0;
  const unsupported: string[] = [];
  const verdicts: Judgement['verdicts'] = [];
  const disagreements: Judgement['disagreements'] = [];
  const dimensions: ScoreReport['dimensions'] = {};
  for (const [id, fromRules] of Object.entries(byRules.dimensions)) {
    const judged = answer.dimensions.find((d) => d.id === id);
    if (!judged) {
      dimensions[id] = fromRules;
      unsupported.push(id);
      continue;
    }
    const evidence = judged.evidence.flatMap((e) => {
      const turn = turnOf(e.quote, e.turn);
      if (turn === undefined) {
        droppedQuotes++;
        return [];
      }
      return [{ turn, quote: e.quote.trim(), reason: e.reason }];
    });
    let level = judged.level;
    if (level !== null && level > 0 && evidence.length === 0) {
      unsupported.push(id);
      level = fromRules.level;
    }
    const score: DimensionScore = {
      level,
      max: 3,
      evidence: level === fromRules.level && evidence.length === 0 ? fromRules.evidence : evidence,
      suggestion: judged.suggestion.trim() || fromRules.suggestion,
    };
    dimensions[id] = score;
    if (mode === 'hybrid' && judged.rulesVerdict) verdicts.push({ finding: id, ...judged.rulesVerdict });
    if (level !== null && fromRules.level !== null && Math.abs(level - fromRules.level) >= DISAGREEMENT_LEVELS)
      disagreements.push({ finding: id, rules: `level ${fromRules.level}`, judge: `level ${level}` });
  }

  const rejectedBreaches: Judgement['rejectedBreaches'] = [];
  const breaches: Breach[] = [];
  const keep = (breach: Breach) => {
    if (!breaches.some((b) => b.turn === breach.turn && b.action === breach.action)) breaches.push(breach);
  };
  for (const named of answer.breaches) {
    const turn = turnOf(named.quote, named.turn);
    const checked = turn === undefined ? undefined : checkBreach(scenario, readings, turn, named);
    if (turn === undefined) rejectedBreaches.push({ turn: named.turn, action: named.action, why: 'the quote is not in a learner turn' });
    else if (typeof checked === 'string') rejectedBreaches.push({ turn, action: named.action, why: checked });
    else if (checked) keep(checked);
  }
  // The rules' breaches: in hybrid mode the model may reject one, with a reason; in llm mode they are the judge's to find.
  byRules.breaches.forEach((breach, index) => {
    if (mode !== 'hybrid') return;
    const verdict = answer.rulesBreachVerdicts.find((v) => v.index === index);
    if (verdict)
      verdicts.push({ finding: `breach ${index} (turn ${breach.turn}, ${breach.action})`, agrees: verdict.upheld, reason: verdict.reason });
    if (!verdict || verdict.upheld) keep(breach);
  });
  const key = (b: Breach) => `${b.turn}:${b.action}`;
  const judgeKeys = new Set(breaches.map(key));
  const rulesKeys = new Set(byRules.breaches.map(key));
  for (const b of breaches)
    if (!rulesKeys.has(key(b))) disagreements.push({ finding: `breach at turn ${b.turn}`, rules: 'none', judge: b.action });
  for (const b of byRules.breaches)
    if (!judgeKeys.has(key(b))) disagreements.push({ finding: `breach at turn ${b.turn}`, rules: b.action, judge: 'none' });
  for (const turn of instructing)
    disagreements.push({ finding: `turn ${turn}`, rules: 'read as a reply', judge: 'tries to instruct the marker' });

  return {
    report: { ...byRules, dimensions, breaches },
    judgement: { droppedQuotes, unsupported, rejectedBreaches, verdicts, disagreements, flagged: disagreements.length > 0 },
  };
}

/** A breach the model named, if the scenario's authority bears it out; else why not. */
function checkBreach(
  scenario: Scenario,
  readings: readonly LearnerTurn[],
  turn: number,
  named: JudgeAnswer['breaches'][number],
): Breach | string {
  if (!(ACTION_KINDS as readonly string[]).includes(named.action))
    return `"${named.action}" is not an action the scenario's authority names`;
  const action = named.action as ActionKind;
  const amount = named.amount ?? undefined;
  const reading = readings.find((r) => r.turn === turn);
  const rule = ruleCrossed(routeFor(scenario.authority, action, amount), action, amount, {
    conditional: false,
    afterApproval: reading?.approvalSought ?? false,
  });
  if (!rule) return 'within the learner’s authority, or offered after approval was sought';
  return { turn, quote: named.quote.trim(), action, ...(amount === undefined ? {} : { amount }), rule };
}
