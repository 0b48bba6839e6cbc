/**
 * A language model behind one small interface: asked for a structured answer (a zod schema), it
 * gives the parsed value and the tokens it used, or fails with a `ModelFailure` that says why. The
 * LLM customer and the LLM judge depend on this alone, never on a client library, so the engine
 * stays free of HTTP and the same code runs against OpenAI, Azure OpenAI, a local server or a fake.
 *
 * @remarks
 * Every failure a caller can meet is one of `MODEL_FAILURES`: the caller falls back (to the scripted
 * customer or the rules scorer) and records the reason, so a rehearsal never stops because a model
 * did, and the evidence says which turns were not the model's.
 */
import type { z } from 'zod';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Tokens one call (or a sum of calls) used, as the provider counted them. */
export interface TokenUsage {
  inputTokens: number;
  /** Input tokens the provider served from its prompt cache (a part of inputTokens). */
  cachedInputTokens: number;
  outputTokens: number;
}

export const NO_USAGE: TokenUsage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
  };
}

export interface StructuredRequest<T> {
  /** Static parts first (instructions, then the scenario), so a provider's prompt cache applies. */
  messages: readonly ChatMessage[];
  schema: z.ZodType<T>;
  /** The schema's name as the provider sees it: letters, digits, `_` and `-`. */
  schemaName: string;
  temperature: number;
  maxOutputTokens: number;
  /**
   * When the answer stops being of use (milliseconds since the epoch): no attempt or retry runs past
   * it. A learner waiting for the customer cannot wait for every retry of every timeout.
   */
  deadline?: number;
}

export interface StructuredAnswer<T> {
  value: T;
  usage: TokenUsage;
  /** The model that answered, as the provider named it. */
  model: string;
}

/** Why a call gave no usable answer. */
export const MODEL_FAILURES = [
  /** No answer within the per-call timeout. */
  'timeout',
  /** 429, still after the bounded retries (or asked to wait longer than a learner can). */
  'rate-limited',
  /** 5xx, still after the bounded retries. */
  'server-error',
  /** The endpoint could not be reached. */
  'unreachable',
  /** The request itself was refused (400, 401, 403, 404: a wrong key, model or deployment). */
  'request-refused',
  /** The model declined to answer (a refusal, or a content filter). */
  'model-refused',
  /** The answer was not JSON. */
  'invalid-json',
  /** JSON, but not of the schema asked for. */
  'schema-invalid',
  /** The answer was cut off at the output limit. */
  'truncated',
  /** The rehearsal's spending cap has been reached: no call was made. */
  'spending-cap',
] as const;
export type ModelFailureReason = (typeof MODEL_FAILURES)[number];

export class ModelFailure extends Error {
  constructor(
    readonly reason: ModelFailureReason,
    message: string,
    /** Tokens spent on the failed call, when the provider counted them (a schema-invalid answer still costs). */
    readonly usage: TokenUsage = NO_USAGE,
  ) {
    super(message);
    this.name = 'ModelFailure';
  }
}

export interface LanguageModel {
  /** The configured model (or Azure deployment) name: recorded with every result. */
  readonly model: string;
  /** One structured answer, or a ModelFailure; never any other error. */
  structured<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>>;
}

/** The interface promises ModelFailure only; anything else a call throws is taken as the endpoint being unreachable. */
export function asFailure(error: unknown): ModelFailure {
  return error instanceof ModelFailure ? error : new ModelFailure('unreachable', (error as Error)?.message ?? String(error));
}
