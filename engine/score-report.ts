/**
 * The scorer's output: what `servicesim score --json` prints, what evidence records keep and what a
 * tutor reviews. A zod schema, so a report read back from storage is checked, not cast.
 */
import { z } from 'zod';
import { FallbackSchema, ModelCallNoteSchema } from './model-use.ts';
import { ACTION_KINDS } from './scenario-schema.ts';

const EvidenceSchema = z.object({
  turn: z.number().int().min(1),
  quote: z.string(),
  reason: z.string(),
});

const DimensionScoreSchema = z.object({
  /** 0–3, or null when the conversation gave no occasion for this dimension. */
  level: z.number().int().min(0).max(3).nullable(),
  max: z.literal(3),
  evidence: z.array(EvidenceSchema),
  /** What would have been better, with an example phrase. */
  suggestion: z.string(),
});

const BreachSchema = z.object({
  turn: z.number().int().min(1),
  quote: z.string(),
  action: z.enum(ACTION_KINDS),
  amount: z.number().optional(),
  /** Which limit was crossed, and what the learner should have done instead. */
  rule: z.string(),
});

const CommitmentRecordSchema = z.object({
  turn: z.number().int().min(1),
  quote: z.string(),
  who: z.string(),
  what: z.string(),
  /** When it was promised for; absent for a vague promise. */
  when: z.string().optional(),
});

/** One learner turn levelled on its own: where in the rehearsal each dimension was shown, or not. */
const TurnScoreSchema = z.object({
  turn: z.number().int().min(1),
  levels: z.record(z.string(), z.number().int().min(0).max(3).nullable()),
  /** The coaching a weak reply earned: what marks it as the reply to work on. */
  hint: z.object({ dimension: z.string(), text: z.string() }).optional(),
});

/**
 * How an LLM or hybrid judge reached the report: its calls, what the engine refused of its answer,
 * and where it and the rules disagree. Absent from a rules report.
 */
const JudgementSchema = z.object({
  mode: z.enum(['llm', 'hybrid']),
  model: z.string(),
  prompt: z.string(),
  calls: z.array(ModelCallNoteSchema),
  /** Present when the rules' report was used instead of the judge's (the call failed, or the cap was reached). */
  fallback: FallbackSchema.optional(),
  /** Evidence quotes dropped: not word for word in a learner turn, or from a turn that tried to instruct the marker. */
  droppedQuotes: z.number().int().min(0),
  /** Dimensions whose judged level above 0 had no quote left, so the rules' level stands. */
  unsupported: z.array(z.string()),
  /** Breaches the judge named that the scenario's authority does not bear out, and why. */
  rejectedBreaches: z.array(z.object({ turn: z.number().int().min(0), action: z.string(), why: z.string() })),
  /** The hybrid judge's verdicts on the rules' findings. */
  verdicts: z.array(z.object({ finding: z.string(), agrees: z.boolean(), reason: z.string() })),
  /** Dimensions two levels apart, and breaches one found and the other did not. */
  disagreements: z.array(z.object({ finding: z.string(), rules: z.string(), judge: z.string() })),
  /** The rehearsal is flagged for the tutor: the judges disagree. */
  flagged: z.boolean(),
});

/** A judgement's findings before any are made: no calls, nothing refused, nothing disagreed on (fresh lists each time). */
export function noFindings(): Omit<z.infer<typeof JudgementSchema>, 'mode' | 'model' | 'prompt'> {
  return { calls: [], droppedQuotes: 0, unsupported: [], rejectedBreaches: [], verdicts: [], disagreements: [], flagged: false };
}

export const ScoreReportSchema = z.object({
  scenario: z.string(),
  dimensions: z.record(z.string(), DimensionScoreSchema),
  turns: z.array(TurnScoreSchema),
  breaches: z.array(BreachSchema),
  commitments: z.array(CommitmentRecordSchema),
  judgement: JudgementSchema.optional(),
});

export type Evidence = z.infer<typeof EvidenceSchema>;
export type DimensionScore = z.infer<typeof DimensionScoreSchema>;
export type Breach = z.infer<typeof BreachSchema>;
export type TurnScore = z.infer<typeof TurnScoreSchema>;
export type ScoreReport = z.infer<typeof ScoreReportSchema>;
export type Judgement = z.infer<typeof JudgementSchema>;
