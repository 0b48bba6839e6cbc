/**
 * The LanguageModel for any OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI, or a
 * local server (Ollama, vLLM, LM Studio). The openai client does the HTTP; this file decides what
 * is asked (a strict JSON schema made from the zod schema) and turns every way a call can go wrong
 * into one `ModelFailure`, so the customer and the judge can fall back and say why.
 *
 * @remarks
 * The client's own retries are off: `retry-policy.ts` retries instead, with a bound on how long it
 * waits. Failure messages say what happened (a status, a reason) and never hold the API key, the
 * prompt or the answer: a provider's error text can echo part of a key, so it is not passed on.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, AzureOpenAI } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import {
  ModelFailure,
  NO_USAGE,
  type LanguageModel,
  type StructuredAnswer,
  type StructuredRequest,
  type TokenUsage,
} from '../engine/language-model.ts';
import { withBoundedRetries } from './retry-policy.ts';
import { readStructuredAnswer } from './structured-answer.ts';

export interface OpenAiLanguageModelOptions {
  apiKey: string;
  /** An OpenAI-compatible endpoint other than OpenAI's, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseURL?: string;
  /** Azure OpenAI instead: the resource's endpoint, the deployment to call, and the API version. */
  azure?: { endpoint: string; deployment: string; apiVersion: string };
  model: string;
  /** For each attempt, from sending the request to having the whole answer. */
  timeoutMs: number;
  /** Attempts after the first, for failures that may pass (see retry-policy.ts). */
  maxRetries: number;
  /** The longest wait before a retry; a server asking for more is given up on at once. */
  maxRetryWaitMs: number;
  fetch?: typeof fetch;
}

export function createOpenAiLanguageModel(options: OpenAiLanguageModelOptions): LanguageModel {
  const clientOptions = {
    apiKey: options.apiKey,
    timeout: options.timeoutMs,
    maxRetries: 0,
    // Looked up at each call, not now: msw replaces globalThis.fetch after this client may be made.
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
  };
  const client = options.azure
    ? new AzureOpenAI({ ...clientOptions, ...options.azure })
    : new OpenAI({ ...clientOptions, baseURL: options.baseURL });

  return {
    model: options.model,
    async structured<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>> {
      const body: CompletionRequest = {
        model: options.model,
        messages: request.messages.map(({ role, content }) => ({ role, content })),
        temperature: request.temperature,
        max_completion_tokens: request.maxOutputTokens,
        response_format: responseFormatOf(request),
      };
      let completion: ChatCompletion;
      try {
        const { deadline } = request;
        completion = await withBoundedRetries(
          () => {
            // Each attempt ends by the per-call timeout, or by the request's deadline if that comes first.
            const left = deadline === undefined ? options.timeoutMs : Math.min(options.timeoutMs, deadline - Date.now());
            if (left <= 0) throw new APIConnectionTimeoutError();
            return completionWithin(client, body, left);
          },
          { ...options, ...(deadline === undefined ? {} : { deadline }) },
        );
      } catch (error) {
        throw failureOf(error);
      }
      return answerOf(completion, request.schema, options.model);
    },
  };
}

type CompletionRequest = Parameters<OpenAI['chat']['completions']['create']>[0] & { stream?: false };

/** The zod schema as a strict JSON schema; one that cannot be (a z.date(), say) is refused before any call. */
function responseFormatOf(request: StructuredRequest<unknown>): CompletionRequest['response_format'] {
  try {
    return zodResponseFormat(request.schema, request.schemaName);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelFailure('request-refused', `the schema ${request.schemaName} cannot be sent as a strict JSON schema: ${why}`);
  }
}

/**
 * One attempt, over by `timeoutMs` however it is spent. The client's own timeout stops only the wait
 * for the response's headers; a server that sends them and then stalls the body is stopped here.
 */
async function completionWithin(client: OpenAI, body: CompletionRequest, timeoutMs: number): Promise<ChatCompletion> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return await client.chat.completions.create(body, { signal: deadline });
  } catch (error) {
    // Our deadline shows as a user's abort, or as a bare AbortError from reading the body: a timeout either way.
    if (deadline.aborted) throw new APIConnectionTimeoutError();
    throw error;
  }
}

/** The answer's value, or the ModelFailure that says why there is none, with the tokens it cost. */
function answerOf<T>(completion: ChatCompletion, schema: z.ZodType<T>, configuredModel: string): StructuredAnswer<T> {
  const usage = usageOf(completion);
  // Typed, but not checked: a proxy or a local server may send any shape with a 200.
  const choice = (completion as Partial<ChatCompletion> | null | undefined)?.choices?.[0];
  if (typeof choice !== 'object' || choice === null) throw new ModelFailure('invalid-json', 'the endpoint answered with no choices', usage);
  if (choice.message?.refusal || choice.finish_reason === 'content_filter')
    throw new ModelFailure(
      'model-refused',
      `the model declined to answer (${choice.message?.refusal ? 'a refusal' : 'content filter'})`,
      usage,
    );
  if (choice.finish_reason === 'length') throw new ModelFailure('truncated', 'the answer was cut off at the output token limit', usage);
  const value = readStructuredAnswer(choice.message?.content, schema, usage);
  return { value, usage, model: typeof completion.model === 'string' && completion.model !== '' ? completion.model : configuredModel };
}

function usageOf(completion: ChatCompletion): TokenUsage {
  const usage = (completion as Partial<ChatCompletion> | null | undefined)?.usage;
  if (!usage) return NO_USAGE;
  return {
    inputTokens: tokens(usage.prompt_tokens),
    cachedInputTokens: tokens(usage.prompt_tokens_details?.cached_tokens),
    outputTokens: tokens(usage.completion_tokens),
  };
}

function tokens(count: unknown): number {
  return typeof count === 'number' && Number.isFinite(count) && count > 0 ? Math.round(count) : 0;
}

/** The ModelFailure for an error from the client (or from building the request): never another kind. */
function failureOf(error: unknown): ModelFailure {
  if (error instanceof ModelFailure) return error;
  if (error instanceof APIConnectionTimeoutError) return new ModelFailure('timeout', 'no answer from the model endpoint in time');
  if (error instanceof APIConnectionError) {
    const code = systemCodeOf(error);
    return new ModelFailure('unreachable', `the model endpoint could not be reached${code ? ` (${code})` : ''}`);
  }
  if (error instanceof APIError && error.status !== undefined) {
    const said = [error.status, identifier(error.code), identifier(error.type)].filter(Boolean).join(' ');
    if (error.status === 429) return new ModelFailure('rate-limited', `the model endpoint is rate-limiting: ${said}`);
    if (error.status >= 500) return new ModelFailure('server-error', `the model endpoint failed: ${said}`);
    return new ModelFailure('request-refused', `the model endpoint refused the request: ${said}`);
  }
  // A 200 whose body is not JSON at all: the client fails to parse it.
  if (error instanceof SyntaxError) return new ModelFailure('invalid-json', 'the model endpoint answered with a body that is not JSON');
  return new ModelFailure('unreachable', `the call to the model endpoint failed (${error instanceof Error ? error.name : typeof error})`);
}

/** A provider's error code or type (`invalid_api_key`, `content_filter`), if it is one: never free text. */
function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.-]{1,64}$/.test(value) ? value : undefined;
}

/** The system's reason a connection failed (ECONNREFUSED, ENOTFOUND), from the error's causes. */
function systemCodeOf(error: unknown): string | undefined {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{2,40}$/.test(code)) return code;
    cause = cause.cause;
  }
  return undefined;
}
