/**
 * What the models did in a rehearsal, as the evidence record keeps it: per learner turn, the
 * customer's calls, their tokens, and whether the scripted reply stood in (and why); for the whole
 * rehearsal, the judge's call and the totals. A tutor (or an auditor, years later) can then see
 * which words were a model's and which the script's, and what the rehearsal cost.
 */
import { z } from 'zod';
import { addUsage, NO_USAGE, type TokenUsage } from './language-model.ts';
import { costOf, type ModelPrices } from './model-cost.ts';
import type { Exchange } from './rehearsal.ts';
import type { ScoreReport } from './score-report.ts';

export const TokenUsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  cachedInputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
});

/** Why the model's answer was not used for a turn: a ModelFailure reason, or a guard's. */
export const FallbackSchema = z.object({
  reason: z.string().min(1),
  /** A short explanation (never the model's text: that may hold what the guard caught). */
  detail: z.string().optional(),
});

export const ModelCallNoteSchema = z.object({
  model: z.string(),
  usage: TokenUsageSchema,
  /** `used`, a ModelFailure reason, or the guard that rejected the answer. */
  outcome: z.string().min(1),
});

/** The model's own reading of a learner turn, in the terms the rules read it in. */
export const ModelReadingSchema = z.object({
  questions: z.array(z.object({ quote: z.string(), topic: z.string(), open: z.boolean() })),
  offers: z.array(z.object({ quote: z.string(), action: z.string().nullable(), amount: z.number().nullable(), conditional: z.boolean() })),
  empathy: z.boolean(),
  refusals: z.array(z.object({ quote: z.string(), action: z.string().nullable(), reason: z.string().nullable() })),
  approvalSought: z.boolean(),
});

/** One learner turn's customer calls. */
export const CustomerTurnNoteSchema = z.object({
  turn: z.number().int().min(1),
  calls: z.array(ModelCallNoteSchema),
  /** Present when the scripted customer's words were used for this turn. */
  fallback: FallbackSchema.optional(),
  reading: ModelReadingSchema.optional(),
  /** The customer and reader prompts' versions this turn was asked with, e.g. `customer 2, reader 1`. */
  prompt: z.string().optional(),
});
export type CustomerTurnNote = z.infer<typeof CustomerTurnNoteSchema>;

export const ModelUseSchema = z.object({
  /** The prompt files' versions the calls were made with. */
  prompts: z.record(z.string(), z.string()),
  customerTurns: z.array(CustomerTurnNoteSchema),
  usage: TokenUsageSchema,
  /** In the currency of the configured prices; 0 when none are set. */
  cost: z.number().min(0),
});
export type ModelUse = z.infer<typeof ModelUseSchema>;

/** The record's account of the models' work: every customer turn's note, and the totals with the judge's calls. */
/** What the record needs to account for the models' work: the prompts' versions and the prices. */
export interface ModelAccounting {
  prompts: Record<string, string>;
  prices: ModelPrices;
}

/** The tokens of some calls, summed. */
export function usageOfCalls(calls: readonly { usage: TokenUsage }[]): TokenUsage {
  return calls.reduce((sum, call) => addUsage(sum, call.usage), NO_USAGE);
}

export function modelUseOf(exchanges: readonly Exchange[], report: ScoreReport, { prompts, prices }: ModelAccounting): ModelUse {
  const customerTurns = [...exchanges].sort((a, b) => a.turn - b.turn).flatMap((e) => (e.model ? [{ turn: e.turn, ...e.model }] : []));
  const calls = [...customerTurns.flatMap((t) => t.calls), ...(report.judgement?.calls ?? [])];
  const usage = usageOfCalls(calls);
  return { prompts, customerTurns, usage, cost: costOf(usage, prices) };
}
