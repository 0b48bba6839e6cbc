/**
 * Reads a model's text answer as the structured value asked for: the one place that decides what
 * counts as `invalid-json` and what as `schema-invalid`, shared by the real adapter and the fake so
 * a test with the fake meets exactly the failures production would.
 *
 * @remarks
 * Failure messages name where the answer went wrong, never what it said: a model's words may hold a
 * learner's personal data, and these messages end up in logs and evidence.
 */
import type { z } from 'zod';
import { ModelFailure, type TokenUsage } from '../engine/language-model.ts';

/** The value `content` holds, or a ModelFailure carrying `usage` (the tokens were spent all the same). */
export function readStructuredAnswer<T>(content: string | null | undefined, schema: z.ZodType<T>, usage: TokenUsage): T {
  // Not always a string from a server that only looks like OpenAI's: anything else is no content.
  const text = withoutCodeFence(typeof content === 'string' ? content : '').trim();
  if (text === '') throw new ModelFailure('invalid-json', 'the model answered with no content', usage);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelFailure('invalid-json', `the model's answer is not JSON (${text.length} characters)`, usage);
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(json);
  } catch (error) {
    // A schema that cannot check synchronously (an async refinement) throws: still no other error than ModelFailure.
    throw new ModelFailure(
      'schema-invalid',
      `the schema could not check the answer (${error instanceof Error ? error.name : 'error'})`,
      usage,
    );
  }
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'the top level' : issue.path.map(String).join('.');
  throw new ModelFailure('schema-invalid', `the model's answer does not fit the schema at ${where} (${issue?.code ?? 'invalid'})`, usage);
}

/**
 * The text inside one Markdown code fence that wraps the whole answer (```json … ```), which local
 * models add even when asked for JSON; any other text as it is.
 */
export function withoutCodeFence(text: string): string {
  // The language tag counts only when a line break follows it, so ```{"a":1}``` keeps its brace.
  const fenced = /^\s*```(?:[\w+-]*[ \t]*\r?\n)?([\s\S]*?)\s*```\s*$/.exec(text);
  return fenced ? (fenced[1] ?? '') : text;
}
