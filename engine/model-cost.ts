/**
 * What model calls cost, from the token counts and the prices in settings, and the spending cap
 * per rehearsal that keeps one long rehearsal (or a learner pasting essays) from running up a bill.
 *
 * @remarks
 * Prices are the operator's to set (they differ by provider, model and contract, and a local
 * server costs nothing); with none set, cost is 0 and only tokens are counted.
 */
import type { ChatMessage, TokenUsage } from './language-model.ts';

export interface ModelPrices {
  /** Per million input tokens not served from the provider's prompt cache. */
  inputPerMillion: number;
  /** Per million input tokens served from the cache (providers charge less for them). */
  cachedInputPerMillion: number;
  outputPerMillion: number;
}

export const FREE: ModelPrices = { inputPerMillion: 0, cachedInputPerMillion: 0, outputPerMillion: 0 };

/** Whether any price is set: without one, costs are not counted and a spending cap stops nothing. */
export function hasPrices(prices: ModelPrices): boolean {
  return prices.inputPerMillion > 0 || prices.cachedInputPerMillion > 0 || prices.outputPerMillion > 0;
}

export function costOf(usage: TokenUsage, prices: ModelPrices): number {
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens);
  return (
    (uncached * prices.inputPerMillion +
      usage.cachedInputTokens * prices.cachedInputPerMillion +
      usage.outputTokens * prices.outputPerMillion) /
    1_000_000
  );
}

/** Spending per rehearsal: what has been spent, and whether another call may be made. */
export interface SpendingCap {
  prices: ModelPrices;
  /** The most one rehearsal may spend on model calls, in the prices' currency; 0: no cap. */
  perRehearsal: number;
}

/**
 * Whether a call may be made: what has been spent, plus what this call could cost at most (its
 * prompt at four characters a token, and its whole output allowance), must stay within the cap.
 * So one long judge call cannot carry a rehearsal far past it.
 */
export function mayCall(spent: number, cap: SpendingCap, call: { messages: readonly ChatMessage[]; maxOutputTokens: number }): boolean {
  if (cap.perRehearsal <= 0) return true;
  const promptChars = call.messages.reduce((sum, m) => sum + m.content.length, 0);
  const most = costOf({ inputTokens: Math.ceil(promptChars / 4), cachedInputTokens: 0, outputTokens: call.maxOutputTokens }, cap.prices);
  return spent + most <= cap.perRehearsal;
}
