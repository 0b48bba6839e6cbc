/**
 * The LLM judge, and the hybrid one: a rehearsal scored by a model, in the rules scorer's report
 * shape, with everything the model says checked before it counts.
 *
 * @remarks
 * - Evidence quotes must occur word for word in a learner turn (`verbatim-quote.ts`); others are
 *   dropped, as are quotes from a turn that tried to instruct the marker. A level above 0 left with
 *   no quote is not taken: the rules' level stands for that dimension (a claim without evidence is
 *   no evidence, and this is what keeps a learner's "score me 3" from scoring anything).
 * - A breach the model names stands only if the rules found the same one (that action, that turn),
 *   by their reading of the learner's offer against the scenario's machine-readable authority: an
 *   offer within the learner's limit, or made after approval was sought, is rejected with its
 *   reason. A false "beyond your authority" on good work costs more trust than anything, so the
 *   model cannot invent one.
 * - `hybrid`: the rules' findings go to the model as evidence to confirm or reject; where the model
 *   rejects a rules breach, with a reason, it goes. Wherever the two differ by two levels, or on a
 *   breach, the report is flagged for the tutor (`score-flags.ts`), in either mode.
 * - Per-turn scoring (practice-mode coaching) stays with the rules: instant, and free.
 * - A failed call, or the spending cap reached, gives the rules' report with the reason recorded.
 */
import { z } from 'zod';
import type { ComponentIdentity } from './component-identity.ts';
import { readConversation } from './conversation-reading.ts';
import { triesToInstruct } from './instruction-attempts.ts';
import { findingsText, rubricText, scenarioText, transcriptText } from './judge-prompt-text.ts';
import { asFailure, NO_USAGE, type LanguageModel, type StructuredAnswer } from './language-model.ts';
import type { LearnerTurn } from './learner-turn.ts';
import { costOf, mayCall, type SpendingCap } from './model-cost.ts';
import type { PromptBook } from './prompt-book.ts';
import type { RubricDimension } from './rubric-library.ts';
import { ACTION_KINDS } from './scenario-schema.ts';
import { noFindings, ScoreReportSchema, type Breach, type Judgement, type ScoreReport } from './score-report.ts';
import type { Scorer } from './scorer.ts';
import type { Turn } from './transcript.ts';
import { occursIn } from './verbatim-quote.ts';

/** Room for every dimension's evidence and suggestion; a longer answer is a model rambling. */
const MAX_OUTPUT_TOKENS = 3000;
/** How a turn the engine set aside as an attempt to instruct the marker is listed among the disagreements. */
export const SET_ASIDE = 'set aside by the engine: it tries to instruct the marker';
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
        ...noFindings(),
        ...fields,
      });
      /** The rules' report stands, with why, and what the calls made cost. */
      const rulesStand = (reason: string, detail: string, calls: Judgement['calls'] = []): ScoreReport => ({
        ...byRules,
        judgement: note({ calls, fallback: { reason, detail: detail.slice(0, 200) } }),
      });
      const spent = costOf(input.modelUsage ?? NO_USAGE, cap.prices);
      let answer: StructuredAnswer<JudgeAnswer>;
      try {
        const messages = await prompts.judge({
          scenario: scenarioText(input.scenario),
          rubric: rubricText(settings.rubric, Object.keys(byRules.dimensions)),
          transcript: transcriptText(input.turns),
          ...(mode === 'hybrid' ? { findings: findingsText(byRules) } : {}),
        });
        if (!mayCall(spent, cap, { messages, maxOutputTokens: MAX_OUTPUT_TOKENS }))
          return rulesStand('spending-cap', `spent ${spent.toFixed(4)} of ${cap.perRehearsal}`);
        answer = await model.structured({
          messages,
          schema: JudgeAnswerSchema,
          schemaName: 'rehearsal_marks',
          temperature: 0,
          maxOutputTokens: MAX_OUTPUT_TOKENS,
        });
      } catch (error) {
        const failure = asFailure(error);
        return rulesStand(failure.reason, failure.message, [{ model: model.model, usage: failure.usage, outcome: failure.reason }]);
      }
      const call = { model: answer.model, usage: answer.usage, outcome: 'used' };
      // Whatever the model said (and should checking it ever fail), the evidence must save: a report the record would refuse is the rules' instead.
      try {
        const judged = judgeReport(input.turns, readings, byRules, answer.value, mode);
        const report = ScoreReportSchema.safeParse({ ...judged.report, judgement: note({ ...judged.judgement, calls: [call] }) });
        if (report.success) return report.data;
        const problem = report.error.issues[0];
        return rulesStand('invalid-report', `${problem?.path.join('.') ?? ''}: ${problem?.message ?? ''}`, [
          { ...call, outcome: 'invalid-report' },
        ]);
      } catch (error) {
        return rulesStand('invalid-report', (error as Error)?.message ?? String(error), [{ ...call, outcome: 'invalid-report' }]);
      }
    },
  };
}

/** The judge's answer, checked against the transcript and the scenario, as a report. */
export function judgeReport(
  turns: readonly Turn[],
  readings: readonly LearnerTurn[],
  byRules: ScoreReport,
  answer: JudgeAnswer,
  mode: JudgeMode,
): {
  report: ScoreReport;
  judgement: Pick<Judgement, 'droppedQuotes' | 'unsupported' | 'rejectedBreaches' | 'verdicts' | 'disagreements' | 'flagged'>;
} {
  const learnerTurns = turns.map((t, i) => ({ ...t, number: i + 1 })).filter((t) => t.role === 'learner');
  const instructing = new Set(learnerTurns.filter((t) => triesToInstruct(t.text)).map((t) => t.number));
  /** The learner turn a quote is in: the one named if it is there, else the first that has it (of `among`). */
  const turnOf = (quote: string, named: number, among = learnerTurns) =>
    (among.find((t) => t.number === named && occursIn(quote, t.text)) ?? among.find((t) => occursIn(quote, t.text)))?.number;
  // Evidence never comes from a turn that tried to instruct the marker.
  const usable = learnerTurns.filter((t) => !instructing.has(t.number));

  let droppedQuotes = 0;
  const unsupported: string[] = [];
  const verdicts: Judgement['verdicts'] = [];
  const disagreements: Judgement['disagreements'] = [];
  const levelText = (level: number | null) => (level === null ? 'no occasion' : `level ${level}`);

  // Breaches first: whether one stands decides what the authority level may be.
  const rejectedBreaches: Judgement['rejectedBreaches'] = [];
  const breaches: Breach[] = [];
  const keep = (breach: Breach) => {
    if (!breaches.some((b) => b.turn === breach.turn && b.action === breach.action)) breaches.push(breach);
  };
  for (const named of answer.breaches) {
    const turn = turnOf(named.quote, named.turn);
    if (turn === undefined) {
      rejectedBreaches.push({ turn: Math.max(0, named.turn), action: named.action, why: 'the quote is not in a learner turn' });
      continue;
    }
    const ruled = byRules.breaches.find((b) => b.turn === turn && b.action === named.action);
    if (ruled) keep(ruled);
    else {
      const why = whyNotABreach(readings, turn, named.action);
      rejectedBreaches.push({ turn, action: named.action, why });
      if (why === NO_SUCH_OFFER)
        disagreements.push({ finding: `breach at turn ${turn}`, rules: 'no offer read there', judge: named.action });
    }
  }
  // The rules' breaches: in hybrid mode the model may reject one, with a reason; in llm mode one stands only if the judge names it too.
  byRules.breaches.forEach((breach, index) => {
    if (mode !== 'hybrid') return;
    const verdict = answer.rulesBreachVerdicts.find((v) => v.index === index);
    const rejected = verdict !== undefined && !verdict.upheld && verdict.reason.trim() !== '';
    if (verdict)
      verdicts.push({ finding: `breach ${index} (turn ${breach.turn}, ${breach.action})`, agrees: !rejected, reason: verdict.reason });
    if (!rejected) keep(breach);
  });
  const key = (b: Breach) => `${b.turn}:${b.action}`;
  const keptKeys = new Set(breaches.map(key));
  for (const b of byRules.breaches)
    if (!keptKeys.has(key(b))) disagreements.push({ finding: `breach at turn ${b.turn}`, rules: b.action, judge: 'none' });
  for (const turn of instructing) disagreements.push({ finding: `turn ${turn}`, rules: 'read as a reply', judge: SET_ASIDE });

  const dimensions: ScoreReport['dimensions'] = {};
  for (const [id, fromRules] of Object.entries(byRules.dimensions)) {
    const judged = answer.dimensions.find((d) => d.id === id);
    const rulesStand = () => {
      dimensions[id] = fromRules;
      unsupported.push(id);
    };
    if (!judged) {
      rulesStand();
      continue;
    }
    if (mode === 'hybrid' && judged.rulesVerdict) verdicts.push({ finding: id, ...judged.rulesVerdict });
    const evidence = judged.evidence.flatMap((e) => {
      const turn = turnOf(e.quote, e.turn, usable);
      if (turn === undefined) {
        droppedQuotes++;
        return [];
      }
      return [{ turn, quote: e.quote.trim(), reason: e.reason }];
    });
    const level = judged.level;
    // A claim without the learner's words behind it is no evidence; nor is "no occasion" where the rules saw one.
    const withoutEvidence = level !== null && level > 0 && evidence.length === 0;
    const erasesALevel = level === null && fromRules.level !== null;
    // A judge that named a breach the engine could not bear out may have marked authority down for it.
    const authorityOnAFalseBreach =
      id === 'authority' &&
      rejectedBreaches.length > 0 &&
      breaches.length === 0 &&
      level !== null &&
      fromRules.level !== null &&
      level < fromRules.level;
    // Nor is marking two levels down what the rules found evidence for, without a quote of its own.
    const lowersWithoutEvidence =
      level !== null &&
      fromRules.level !== null &&
      fromRules.level - level >= DISAGREEMENT_LEVELS &&
      evidence.length === 0 &&
      fromRules.evidence.length > 0;
    if (withoutEvidence || erasesALevel || authorityOnAFalseBreach || lowersWithoutEvidence) {
      rulesStand();
      if (erasesALevel || lowersWithoutEvidence)
        disagreements.push({ finding: id, rules: levelText(fromRules.level), judge: `${levelText(level)}, with no quote` });
      continue;
    }
    // A breach that stands holds authority at 0, as the rules do.
    const capped = id === 'authority' && breaches.length > 0 && level !== null ? 0 : level;
    dimensions[id] = { level: capped, max: 3, evidence, suggestion: judged.suggestion.trim() || fromRules.suggestion };
    const apart = capped !== null && fromRules.level !== null && Math.abs(capped - fromRules.level) >= DISAGREEMENT_LEVELS;
    if (apart || (capped !== null && fromRules.level === null))
      disagreements.push({ finding: id, rules: levelText(fromRules.level), judge: levelText(capped) });
  }

  return {
    report: { ...byRules, dimensions, breaches },
    judgement: {
      droppedQuotes,
      unsupported,
      rejectedBreaches,
      verdicts,
      disagreements,
      flagged: disagreements.length > 0 || rejectedBreaches.length > 0,
    },
  };
}

/** The learner made no offer of the named action in that turn: the judge's suspicion goes to the tutor. */
const NO_SUCH_OFFER = 'the learner made no such offer there (a refusal, a limit stated or a mention is not one)';

/**
 * Why a breach the model named is not one. A breach stands only where the rules found one: an offer
 * of that action in that turn (a refusal, a statement of one's limits or a mention is no offer) that,
 * at the amount the learner named, conditional or after approval as they made it, crosses the
 * scenario's authority. The model's word alone never makes a breach.
 */
function whyNotABreach(readings: readonly LearnerTurn[], turn: number, action: string): string {
  if (!(ACTION_KINDS as readonly string[]).includes(action)) return `"${action}" is not one of the actions authority is written in`;
  const offered = readings.find((r) => r.turn === turn)?.offers.some((o) => o.action === action);
  return offered ? 'within the learner’s authority, conditional on approval, or made after approval was sought' : NO_SUCH_OFFER;
}
