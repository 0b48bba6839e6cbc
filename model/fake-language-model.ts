/**
 * A LanguageModel whose answers a test scripts: the text a model would have said (read exactly as the
 * real adapter reads it, fences, bad JSON and all) or the failure a provider would have caused. It
 * keeps every request, so a test can look at the prompts the customer and the judge sent.
 */
import {
  ModelFailure,
  NO_USAGE,
  type LanguageModel,
  type ModelFailureReason,
  type StructuredAnswer,
  type StructuredRequest,
  type TokenUsage,
} from '../engine/language-model.ts';
import { readStructuredAnswer } from './structured-answer.ts';

/** What the scripted model does for one request: answer with this text, or fail for this reason. */
export type FakeReply = { content: string; usage?: Partial<TokenUsage> } | { failure: ModelFailureReason };

export interface FakeLanguageModel extends LanguageModel {
  /** Every request made, in order. */
  readonly calls: StructuredRequest<unknown>[];
}

/**
 * A model that answers each request with `respond(request)`. An error `respond` throws is let through,
 * unlike any failure it scripts: it is a mistake in the test, not something a model does.
 */
export function createFakeLanguageModel(
  respond: (request: StructuredRequest<unknown>) => FakeReply | Promise<FakeReply>,
  { model = 'fake-model' }: { model?: string } = {},
): FakeLanguageModel {
  const calls: StructuredRequest<unknown>[] = [];
  return {
    model,
    calls,
    async structured<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>> {
      calls.push(request);
      const reply = await respond(request);
      if ('failure' in reply) throw new ModelFailure(reply.failure, `the fake model was scripted to fail: ${reply.failure}`);
      const usage = { ...NO_USAGE, ...reply.usage };
      return { value: readStructuredAnswer(reply.content, request.schema, usage), usage, model };
    },
  };
}
