/**
 * What every LanguageModel must do, as one vitest suite run against each: the fake, the real adapter
 * behind an interceptor, and the real adapter against a real server. The customer and the judge are
 * tested with the fake; this suite is what makes that a fair stand-in for the real thing.
 *
 * @remarks
 * `make` builds a model whose provider answers each request as the script says. A script sees the
 * request's messages and returns a `FakeReply`: text (with the tokens it cost, where the provider
 * lets the test choose them) or a failure the provider would cause, such as a 500 or a 429.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { MODEL_FAILURES, ModelFailure, type ChatMessage, type LanguageModel, type StructuredRequest } from '../engine/language-model.ts';
import type { FakeReply } from '../model/fake-language-model.ts';

/** How the provider behind a model under test answers one request. */
export type ProviderScript = (request: { messages: readonly ChatMessage[] }) => FakeReply;

export interface LanguageModelUnderTest {
  model: LanguageModel;
  /** Stops whatever `make` started (a server, say). */
  close?: () => Promise<void>;
}

const CustomerLine = z.object({
  reply: z.string(),
  mood: z.enum(['calm', 'cross']),
  refundPence: z.number().int().nullable(),
});

const MESSAGES: readonly ChatMessage[] = [
  { role: 'system', content: 'You play a customer whose parcel has not arrived.' },
  { role: 'user', content: 'Hello, how can I help?' },
  { role: 'assistant', content: '{"reply":"My parcel is late.","mood":"cross","refundPence":null}' },
  { role: 'user', content: 'I am sorry to hear that. May I have the order number?' },
];

const REQUEST: StructuredRequest<z.infer<typeof CustomerLine>> = {
  messages: MESSAGES,
  schema: CustomerLine,
  schemaName: 'customer_line',
  temperature: 0.7,
  maxOutputTokens: 300,
};

const USAGE = { inputTokens: 120, cachedInputTokens: 40, outputTokens: 25 };
const GOOD_ANSWER = { reply: 'It is 4471-A.', mood: 'calm', refundPence: null };
/** Words a learner might have typed: no failure message may repeat them. */
const PERSONAL = 'Jane Doe, 07700 900123';

export function languageModelConformance(name: string, make: (script: ProviderScript) => Promise<LanguageModelUnderTest>): void {
  const modelAnswering = async (script: ProviderScript): Promise<LanguageModel> => {
    const made = await make(script);
    if (made.close) onTestFinished(made.close);
    return made.model;
  };

  describe(`LanguageModel conformance: ${name}`, () => {
    it('gives a valid answer as the parsed value, with the tokens it cost and the model that answered', async () => {
      const seen: (readonly ChatMessage[])[] = [];
      const model = await modelAnswering((request) => {
        seen.push(request.messages);
        return { content: JSON.stringify(GOOD_ANSWER), usage: USAGE };
      });
      const answer = await model.structured(REQUEST);
      expect(answer.value).toEqual(GOOD_ANSWER);
      expect(answer.usage.inputTokens).toBeGreaterThan(0);
      expect(answer.usage.outputTokens).toBeGreaterThan(0);
      expect(answer.usage.cachedInputTokens).toBeLessThanOrEqual(answer.usage.inputTokens);
      expect(answer.model).toMatch(/\S/);
      expect(seen).toEqual([MESSAGES]);
    });

    it('reads a JSON answer wrapped in a Markdown code fence, as local models send it', async () => {
      const model = await modelAnswering(() => ({ content: '```json\n' + JSON.stringify(GOOD_ANSWER, null, 2) + '\n```\n', usage: USAGE }));
      expect((await model.structured(REQUEST)).value).toEqual(GOOD_ANSWER);
    });

    it('fails with invalid-json when the answer is not JSON, without repeating it', async () => {
      const model = await modelAnswering(() => ({ content: `Sure! The customer says: ${PERSONAL}`, usage: USAGE }));
      const failure = await failureOf(model.structured(REQUEST));
      expect(failure.reason).toBe('invalid-json');
      expect(failure.message).not.toContain(PERSONAL);
    });

    it('fails with schema-invalid, and the tokens spent, when the JSON is of the wrong shape', async () => {
      const model = await modelAnswering(() => ({
        content: JSON.stringify({ reply: PERSONAL, mood: 'furious', refundPence: null }),
        usage: USAGE,
      }));
      const failure = await failureOf(model.structured(REQUEST));
      expect(failure.reason).toBe('schema-invalid');
      expect(failure.message).toContain('mood');
      expect(failure.message).not.toContain(PERSONAL);
      expect(failure.usage.inputTokens).toBeGreaterThan(0);
      expect(failure.usage.outputTokens).toBeGreaterThan(0);
    });

    for (const reason of ['server-error', 'rate-limited', 'request-refused'] as const) {
      it(`fails with ${reason} when the provider does`, async () => {
        const model = await modelAnswering(() => ({ failure: reason }));
        expect((await failureOf(model.structured(REQUEST))).reason).toBe(reason);
      });
    }

    it('lets no error but a ModelFailure escape, whatever the provider answers', async () => {
      const answers = ['', '   ', 'null', '[]', '{"reply":', '```\n```', '{"reply":"x","mood":"calm"}', '"just a string"', '\u0000\uFFFF'];
      const model = await modelAnswering((request) => {
        const turn = request.messages.at(-1)?.content ?? '';
        return { content: answers[Number(turn)] ?? '', usage: USAGE };
      });
      for (const [i] of answers.entries()) {
        const failure = await failureOf(model.structured({ ...REQUEST, messages: [...MESSAGES, { role: 'user', content: String(i) }] }));
        expect(MODEL_FAILURES, `answer ${i}`).toContain(failure.reason);
      }
    });
  });
}

/** The ModelFailure the call ended with; any other outcome fails the test. */
export async function failureOf(call: Promise<unknown>): Promise<ModelFailure> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFailure);
    return error as ModelFailure;
  }
  throw new Error('expected a ModelFailure, but the model answered');
}
