// The LanguageModel implementations: the conformance suite against the fake, against the OpenAI
// adapter behind msw, and against the adapter talking to a real OpenAI-compatible server; then the
// adapter's faults (timeouts, rate limits, failing servers, refusals) and its bounded retry policy.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelFailure, type ModelFailureReason, type StructuredRequest } from '../engine/language-model.ts';
import { createFakeLanguageModel, type FakeReply } from '../model/fake-language-model.ts';
import { createOpenAiLanguageModel, type OpenAiLanguageModelOptions } from '../model/openai-language-model.ts';
import { isRetryable, retryAfterMs, withBoundedRetries, type RetryClock } from '../model/retry-policy.ts';
import { readStructuredAnswer, withoutCodeFence } from '../model/structured-answer.ts';
import { failureOf, languageModelConformance } from './language-model-conformance.ts';
import { startOpenAiCompatibleServer, type ChatReply, type ChatRequestBody } from './openai-compatible-server.ts';

const API_KEY = 'sk-test-0123456789-do-not-leak';
const BASE_URL = 'https://llm.example.test/v1';
const COMPLETIONS_URL = `${BASE_URL}/chat/completions`;

/** Quick to fail: one retry, and waits of a few milliseconds. */
const QUICK: Omit<OpenAiLanguageModelOptions, 'apiKey' | 'baseURL'> = {
  model: 'gpt-test',
  timeoutMs: 5_000,
  maxRetries: 1,
  maxRetryWaitMs: 20,
};

const Verdict = z.object({ level: z.enum(['pass', 'merit', 'distinction']), reason: z.string().nullable() });

const REQUEST: StructuredRequest<z.infer<typeof Verdict>> = {
  messages: [
    { role: 'system', content: 'You judge a customer-service reply against a rubric.' },
    { role: 'user', content: 'Rubric: acknowledge, apologise, act.' },
    { role: 'user', content: 'Reply: "Sorry about that, I will reissue the order now."' },
  ],
  schema: Verdict,
  schemaName: 'verdict',
  temperature: 0.2,
  maxOutputTokens: 200,
};
const VERDICT = { level: 'merit', reason: 'apologises and acts' };

/** A `chat.completion` as OpenAI sends it. */
function completion({
  content = JSON.stringify(VERDICT) as string | null,
  finishReason = 'stop',
  refusal = null as string | null,
  model = 'gpt-test-2025-01-01' as string | undefined,
  usage = { prompt_tokens: 50, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 20 } } as object | undefined,
} = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}

/** The HTTP status a provider answers with for a scripted failure. */
function statusFor(reason: ModelFailureReason): number {
  const statuses: Partial<Record<ModelFailureReason, number>> = { 'server-error': 500, 'rate-limited': 429, 'request-refused': 400 };
  const status = statuses[reason];
  if (status === undefined) throw new Error(`${reason} cannot be scripted as an HTTP status`);
  return status;
}

languageModelConformance('the fake', async (script) => ({ model: createFakeLanguageModel((request) => script(request)) }));

describe('the OpenAI adapter, against msw', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  /** Serves the completions endpoint with `answer`, keeping each request's body and when it came. */
  const serve = (answer: (body: ChatRequestBody, request: Request) => Response | Promise<Response>) => {
    const requests: { body: ChatRequestBody; headers: Headers; at: number }[] = [];
    server.use(
      http.post(COMPLETIONS_URL, async ({ request }) => {
        const body = (await request.clone().json()) as ChatRequestBody;
        requests.push({ body, headers: request.headers, at: Date.now() });
        return answer(body, request);
      }),
    );
    return requests;
  };
  const adapter = (options: Partial<OpenAiLanguageModelOptions> = {}) =>
    createOpenAiLanguageModel({ apiKey: API_KEY, baseURL: BASE_URL, ...QUICK, ...options });
  const openAiError = (status: number, message: string, code: string | null = null, headers: Record<string, string> = {}) =>
    HttpResponse.json({ error: { message, type: 'invalid_request_error', param: null, code } }, { status, headers });

  languageModelConformance('the OpenAI adapter behind msw', async (script) => {
    serve((body) => {
      const reply: FakeReply = script({ messages: body.messages as StructuredRequest<unknown>['messages'] });
      if ('failure' in reply) return openAiError(statusFor(reply.failure), `scripted ${reply.failure}`);
      const usage = reply.usage ?? {};
      return HttpResponse.json(
        completion({
          content: reply.content,
          usage: {
            prompt_tokens: usage.inputTokens ?? 0,
            completion_tokens: usage.outputTokens ?? 0,
            prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
          },
        }),
      );
    });
    return { model: adapter() };
  });

  it('asks for a strict JSON schema, with the temperature, the output limit and the messages in order', async () => {
    const requests = serve(() => HttpResponse.json(completion()));
    await adapter().structured(REQUEST);
    expect(requests).toHaveLength(1);
    const [{ body, headers }] = requests as [(typeof requests)[number]];
    expect(body.model).toBe('gpt-test');
    expect(body.messages).toEqual(REQUEST.messages);
    expect(body.temperature).toBe(0.2);
    expect(body.max_completion_tokens).toBe(200);
    expect(body.response_format?.type).toBe('json_schema');
    expect(body.response_format?.json_schema).toMatchObject({ name: 'verdict', strict: true, schema: { type: 'object' } });
    expect(headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it("counts the provider's tokens (cached ones too) and names the model the provider says answered", async () => {
    serve(() => HttpResponse.json(completion()));
    expect(await adapter().structured(REQUEST)).toEqual({
      value: VERDICT,
      usage: { inputTokens: 50, cachedInputTokens: 20, outputTokens: 10 },
      model: 'gpt-test-2025-01-01',
    });
  });

  it('counts no cached tokens when the provider gives none, and names the configured model when it names none', async () => {
    serve(() => HttpResponse.json({ ...completion({ usage: { prompt_tokens: 7, completion_tokens: 3 } }), model: undefined }));
    expect(await adapter().structured(REQUEST)).toMatchObject({
      usage: { inputTokens: 7, cachedInputTokens: 0, outputTokens: 3 },
      model: 'gpt-test',
    });
  });

  it('times out an answer slower than timeoutMs, retrying once', async () => {
    const requests = serve(async () => {
      await delay(600);
      return HttpResponse.json(completion());
    });
    const failure = await failureOf(adapter({ timeoutMs: 150, maxRetries: 1 }).structured(REQUEST));
    expect(failure.reason).toBe('timeout');
    expect(requests).toHaveLength(2);
  });

  it('stops at the request’s deadline, however many retries and however long a timeout remain', async () => {
    const requests = serve(async () => {
      await delay(2_000);
      return HttpResponse.json(completion());
    });
    const started = Date.now();
    const failure = await failureOf(adapter({ timeoutMs: 5_000, maxRetries: 3 }).structured({ ...REQUEST, deadline: Date.now() + 300 }));
    expect(failure.reason).toBe('timeout');
    expect(requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('waits the second a 429 asks for (retry-after: 1), then answers', async () => {
    const requests = serve((_body) =>
      requests.length === 1
        ? openAiError(429, 'Rate limit reached', 'rate_limit_exceeded', { 'retry-after': '1' })
        : HttpResponse.json(completion()),
    );
    const answer = await adapter({ maxRetries: 2, maxRetryWaitMs: 2_000 }).structured(REQUEST);
    expect(answer.value).toEqual(VERDICT);
    expect(requests).toHaveLength(2);
    const [first, second] = requests as [(typeof requests)[number], (typeof requests)[number]];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once, rate-limited, when a 429 asks for a longer wait than maxRetryWaitMs (retry-after: 120)', async () => {
    const requests = serve(() => openAiError(429, 'Rate limit reached', 'rate_limit_exceeded', { 'retry-after': '120' }));
    const failure = await failureOf(adapter({ maxRetries: 3, maxRetryWaitMs: 2_000 }).structured(REQUEST));
    expect(failure.reason).toBe('rate-limited');
    expect(failure.message).toContain('429');
    expect(requests).toHaveLength(1);
  });

  it('fails with server-error after maxRetries + 1 attempts when every answer is a 500', async () => {
    const requests = serve(() => openAiError(500, 'The server had an error while processing your request.'));
    const failure = await failureOf(adapter({ maxRetries: 2, maxRetryWaitMs: 20 }).structured(REQUEST));
    expect(failure.reason).toBe('server-error');
    expect(failure.message).toContain('500');
    expect(requests).toHaveLength(3);
  });

  it('fails with request-refused on a 401, at once, never repeating the API key the provider echoes', async () => {
    const requests = serve(() => openAiError(401, `Incorrect API key provided: ${API_KEY}.`, 'invalid_api_key'));
    const failure = await failureOf(adapter({ maxRetries: 2 }).structured(REQUEST));
    expect(failure.reason).toBe('request-refused');
    expect(failure.message).toContain('401');
    expect(failure.message).toContain('invalid_api_key');
    expect(failure.message).not.toContain(API_KEY);
    expect(failure.message).not.toContain(API_KEY.slice(0, 12));
    expect(requests).toHaveLength(1);
  });

  it("fails with model-refused on a refusal, without repeating the refusal's words", async () => {
    const requests = serve(() => HttpResponse.json(completion({ content: null, refusal: "I'm sorry, I can't help with that request." })));
    const failure = await failureOf(adapter().structured(REQUEST));
    expect(failure.reason).toBe('model-refused');
    expect(failure.message).not.toContain('sorry');
    expect(failure.usage).toEqual({ inputTokens: 50, cachedInputTokens: 20, outputTokens: 10 });
    expect(requests).toHaveLength(1);
  });

  it('fails with model-refused when a content filter stopped the answer', async () => {
    const requests = serve(() => HttpResponse.json(completion({ content: '', finishReason: 'content_filter' })));
    expect((await failureOf(adapter().structured(REQUEST))).reason).toBe('model-refused');
    expect(requests).toHaveLength(1);
  });

  it('fails with invalid-json when a 200 answer is not JSON at all (a proxy’s error page, say)', async () => {
    const requests = serve(
      () => new HttpResponse('<html>Bad gateway</html>', { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    expect((await failureOf(adapter().structured(REQUEST))).reason).toBe('invalid-json');
    expect(requests).toHaveLength(1);
  });

  it('fails with truncated, and the tokens spent, when the answer was cut off at the output limit', async () => {
    const requests = serve(() => HttpResponse.json(completion({ content: '{"level":"mer', finishReason: 'length' })));
    const failure = await failureOf(adapter().structured(REQUEST));
    expect(failure.reason).toBe('truncated');
    expect(failure.usage.outputTokens).toBe(10);
    expect(requests).toHaveLength(1);
  });

  it('refuses, without calling, a schema that cannot be a strict JSON schema', async () => {
    const requests = serve(() => HttpResponse.json(completion()));
    const failure = await failureOf(adapter().structured({ ...REQUEST, schema: z.object({ when: z.date() }) }));
    expect(failure.reason).toBe('request-refused');
    expect(requests).toHaveLength(0);
  });

  it("calls an Azure OpenAI deployment at its URL, with the API version and the key in Azure's header", async () => {
    const requests: Request[] = [];
    server.use(
      http.post('https://servicesim.openai.azure.com/openai/deployments/rehearsal-judge/chat/completions', ({ request }) => {
        requests.push(request);
        return HttpResponse.json(completion());
      }),
    );
    const model = createOpenAiLanguageModel({
      ...QUICK,
      apiKey: API_KEY,
      azure: { endpoint: 'https://servicesim.openai.azure.com/', deployment: 'rehearsal-judge', apiVersion: '2024-10-21' },
    });
    expect((await model.structured(REQUEST)).value).toEqual(VERDICT);
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0]!.url).searchParams.get('api-version')).toBe('2024-10-21');
    expect(requests[0]!.headers.get('api-key')).toBe(API_KEY);
  });
});

describe('the OpenAI adapter, against a real OpenAI-compatible server', () => {
  languageModelConformance('the OpenAI adapter against a local server', async (script) => {
    const server = await startOpenAiCompatibleServer((body): ChatReply => {
      const reply = script({ messages: body.messages as StructuredRequest<unknown>['messages'] });
      if ('failure' in reply) return { status: statusFor(reply.failure) };
      return { content: reply.content };
    });
    return { model: createOpenAiLanguageModel({ apiKey: 'local', baseURL: server.baseURL, ...QUICK }), close: server.close };
  });

  it('sends what the server keeps, and reads its answer and token counts', async () => {
    const server = await startOpenAiCompatibleServer(() => ({ content: JSON.stringify(VERDICT) }));
    try {
      const answer = await createOpenAiLanguageModel({ apiKey: 'local', baseURL: server.baseURL, ...QUICK }).structured(REQUEST);
      expect(answer.value).toEqual(VERDICT);
      expect(answer.model).toBe('gpt-test');
      expect(answer.usage.inputTokens).toBe(Math.ceil(REQUEST.messages.reduce((sum, m) => sum + m.content.length, 0) / 4));
      expect(server.requests.map((body) => body.messages)).toEqual([REQUEST.messages]);
    } finally {
      await server.close();
    }
  });

  it('times out an answer whose headers come in time but whose body stalls', async () => {
    // msw cannot play this (its bodies do not heed the abort), so a bare server sends half a completion and waits.
    let requests = 0;
    const stalling = createHttpServer((_request, response) => {
      requests++;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"id":"chatcmpl-1","object":"chat.completion",');
    }).listen(0, '127.0.0.1');
    await once(stalling, 'listening');
    try {
      const { port } = stalling.address() as AddressInfo;
      const model = createOpenAiLanguageModel({
        apiKey: 'local',
        baseURL: `http://127.0.0.1:${port}/v1`,
        ...QUICK,
        timeoutMs: 200,
        maxRetries: 0,
      });
      expect((await failureOf(model.structured(REQUEST))).reason).toBe('timeout');
      expect(requests).toBe(1);
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });

  it('fails with unreachable when nothing listens on the port, after retrying', async () => {
    const port = await closedPort();
    let attempts = 0;
    const model = createOpenAiLanguageModel({
      apiKey: API_KEY,
      baseURL: `http://127.0.0.1:${port}/v1`,
      ...QUICK,
      maxRetries: 1,
      fetch: (...args) => {
        attempts++;
        return globalThis.fetch(...args);
      },
    });
    const failure = await failureOf(model.structured(REQUEST));
    expect(failure.reason).toBe('unreachable');
    expect(failure.message).toContain('ECONNREFUSED');
    expect(failure.message).not.toContain(API_KEY);
    expect(attempts).toBe(2);
  });
});

/** A port that was free a moment ago: the system's pick for a listener on port 0, closed again. */
async function closedPort(): Promise<number> {
  const listener = createServer().listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as AddressInfo;
  listener.close();
  await once(listener, 'close');
  return port;
}

describe('the bounded retry policy', () => {
  /** A clock that records the waits instead of waiting. */
  const fakeClock = (random = 0, now = Date.parse('2025-06-01T12:00:00Z')) => {
    const waits: number[] = [];
    const clock: RetryClock = { sleep: async (ms) => void waits.push(ms), random: () => random, now: () => now };
    return { clock, waits };
  };
  const apiError = (status: number, headers: Record<string, string> = {}) =>
    APIError.generate(status, { error: { message: 'x' } }, undefined, new Headers(headers));
  /** An attempt that fails with each of `errors` in turn, then answers 'answered'. */
  const failing = (...errors: unknown[]) => {
    let calls = 0;
    const attempt = async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return 'answered';
    };
    return { attempt, calls: () => calls };
  };

  it('backs off 250 ms, then 500, then 1000 without a Retry-After, and answers when the server does', async () => {
    const { clock, waits } = fakeClock(0);
    const { attempt, calls } = failing(apiError(500), apiError(503), apiError(429));
    expect(await withBoundedRetries(attempt, { maxRetries: 3, maxRetryWaitMs: 10_000 }, clock)).toBe('answered');
    expect(waits).toEqual([250, 500, 1000]);
    expect(calls()).toBe(4);
  });

  it('shortens each backoff by up to a quarter (jitter) and caps it at maxRetryWaitMs', async () => {
    const jittered = fakeClock(0.999);
    await withBoundedRetries(failing(apiError(500), apiError(500)).attempt, { maxRetries: 2, maxRetryWaitMs: 10_000 }, jittered.clock);
    expect(jittered.waits[0]).toBeGreaterThanOrEqual(187);
    expect(jittered.waits[0]).toBeLessThan(250);
    const capped = fakeClock(0);
    await withBoundedRetries(
      failing(apiError(500), apiError(500), apiError(500)).attempt,
      { maxRetries: 3, maxRetryWaitMs: 400 },
      capped.clock,
    );
    expect(capped.waits).toEqual([250, 400, 400]);
  });

  it('throws the last error after maxRetries retries', async () => {
    const { clock, waits } = fakeClock();
    const last = apiError(502);
    const { attempt, calls } = failing(apiError(500), apiError(500), last);
    await expect(withBoundedRetries(attempt, { maxRetries: 2, maxRetryWaitMs: 50 }, clock)).rejects.toBe(last);
    expect(calls()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('honours retry-after-ms, then retry-after in seconds or as an HTTP date', async () => {
    const { clock, waits } = fakeClock(0, Date.parse('2025-06-01T12:00:00Z'));
    const { attempt } = failing(
      apiError(429, { 'retry-after-ms': '1500', 'retry-after': '9' }),
      apiError(429, { 'retry-after': '2' }),
      apiError(503, { 'retry-after': 'Sun, 01 Jun 2025 12:00:03 GMT' }),
      apiError(503, { 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' }),
      apiError(503, { 'retry-after': 'soon' }),
    );
    await withBoundedRetries(attempt, { maxRetries: 5, maxRetryWaitMs: 5_000 }, clock);
    // The last, unreadable, falls back to the backoff for a fifth attempt: 250 ms × 2^4.
    expect(waits).toEqual([1500, 2000, 3000, 0, 4000]);
  });

  it('gives up at once when the server asks for a longer wait than maxRetryWaitMs', async () => {
    const { clock, waits } = fakeClock();
    const busy = apiError(429, { 'retry-after': '120' });
    const { attempt, calls } = failing(busy);
    await expect(withBoundedRetries(attempt, { maxRetries: 5, maxRetryWaitMs: 2_000 }, clock)).rejects.toBe(busy);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('retries timeouts, connection errors, 408, 409, 429 and 5xx; not other statuses or other errors', () => {
    for (const error of [
      new APIConnectionTimeoutError(),
      new APIConnectionError({}),
      apiError(408),
      apiError(409),
      apiError(429),
      apiError(500),
      apiError(504),
    ])
      expect(isRetryable(error), String(error)).toBe(true);
    for (const error of [apiError(400), apiError(401), apiError(403), apiError(404), apiError(422), new TypeError('bug'), 'thrown string'])
      expect(isRetryable(error), String(error)).toBe(false);
  });

  it('does not retry a 401, however many retries are allowed', async () => {
    const { clock, waits } = fakeClock();
    const { attempt, calls } = failing(apiError(401));
    await expect(withBoundedRetries(attempt, { maxRetries: 5, maxRetryWaitMs: 50 }, clock)).rejects.toBeInstanceOf(APIError);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('reads no wait from missing or unreadable headers', () => {
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs(new Headers(), 0)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'later' }), 0)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '0' }), 0)).toBe(0);
  });
});

describe('reading a structured answer', () => {
  const usage = { inputTokens: 3, cachedInputTokens: 0, outputTokens: 2 };

  it('strips one surrounding code fence, with or without a language, and nothing else', () => {
    expect(withoutCodeFence('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(withoutCodeFence('  ```\n{"a":1}\n```  \n')).toBe('{"a":1}');
    expect(withoutCodeFence('```{"a":1}```')).toBe('{"a":1}');
    expect(withoutCodeFence('{"a":"```"}')).toBe('{"a":"```"}');
    expect(withoutCodeFence('Here it is:\n```json\n{"a":1}\n```')).toBe('Here it is:\n```json\n{"a":1}\n```');
  });

  it('names the path of the first problem in a schema-invalid answer, with the usage', () => {
    const schema = z.object({ turns: z.array(z.object({ level: z.enum(['pass', 'merit']) })) });
    try {
      readStructuredAnswer('{"turns":[{"level":"pass"},{"level":"superb"}]}', schema, usage);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ reason: 'schema-invalid', usage });
      expect((error as Error).message).toContain('turns.1.level');
      expect((error as Error).message).not.toContain('superb');
    }
  });

  it('fails with schema-invalid, not another error, when the schema cannot check an answer synchronously', () => {
    const schema = z.object({ level: z.string().refine(async () => true) });
    expect(() => readStructuredAnswer('{"level":"pass"}', schema, usage)).toThrow(ModelFailure);
  });
});
