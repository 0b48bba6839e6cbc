/**
 * The model provider's HTTP API mocked with msw (never the client library): one handler for
 * `https://llm.example.test/v1/chat/completions` that answers each call by what it asks for (the
 * customer's turn or the judge's marks, told apart by the response format's schema name), with
 * what the test scripts. Every request body is kept, with when it came.
 */
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export const MOCK_PROVIDER_URL = 'https://llm.example.test/v1';

export interface ProviderRequest {
  schema: string;
  at: number;
  body: { model: string; temperature?: number; messages: Array<{ role: string; content: string }> };
}

/** A completion with this JSON (or raw text), or an HTTP failure, or a wait before answering. */
export type ProviderAnswer =
  | { json: unknown }
  | { text: string }
  | { status: number; headers?: Record<string, string> }
  | { waitMs: number; then: ProviderAnswer }
  | { refusal: string };

export type ProviderScript = (request: ProviderRequest, callNumber: number) => ProviderAnswer;

export function mockProvider() {
  const requests: ProviderRequest[] = [];
  const scripts: Record<string, ProviderScript> = {};
  const answer = async (request: ProviderRequest, reply: ProviderAnswer): Promise<Response> => {
    if ('waitMs' in reply) {
      await delay(reply.waitMs);
      return answer(request, reply.then);
    }
    if ('status' in reply)
      return HttpResponse.json(
        { error: { message: `status ${reply.status}`, type: 'server_error' } },
        { status: reply.status, headers: reply.headers ?? {} },
      );
    const content = 'json' in reply ? JSON.stringify(reply.json) : 'text' in reply ? reply.text : null;
    return HttpResponse.json({
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      created: 1,
      model: request.body.model,
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: { role: 'assistant', content, refusal: 'refusal' in reply ? reply.refusal : null },
        },
      ],
      usage: {
        prompt_tokens: 100 + requests.length,
        completion_tokens: 20,
        total_tokens: 120 + requests.length,
        prompt_tokens_details: { cached_tokens: 40 },
      },
    });
  };
  const server = setupServer(
    http.post(`${MOCK_PROVIDER_URL}/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as ProviderRequest['body'] & { response_format?: { json_schema?: { name?: string } } };
      const schema = body.response_format?.json_schema?.name ?? 'none';
      const entry: ProviderRequest = { schema, at: Date.now(), body };
      requests.push(entry);
      const script = scripts[schema];
      if (!script) return HttpResponse.json({ error: { message: 'no script' } }, { status: 500 });
      return answer(entry, script(entry, requests.filter((r) => r.schema === schema).length));
    }),
  );
  return {
    server,
    requests,
    /** Sets how the customer's calls (`customer_turn`) and the judge's (`rehearsal_marks`) are answered. */
    script(schema: 'customer_turn' | 'rehearsal_marks', how: ProviderScript) {
      scripts[schema] = how;
    },
    reset() {
      requests.length = 0;
      for (const key of Object.keys(scripts)) delete scripts[key];
    },
  };
}

/** A valid customer answer with these words and an empty reading. */
export function customerSays(reply: string): ProviderAnswer {
  return { json: { reply, reading: { questions: [], offers: [], empathy: false, refusals: [], approvalSought: false } } };
}

/** The advisor's message in a customer request: what the learner typed this turn. */
export function learnerTextOf(request: ProviderRequest): string {
  const last = request.body.messages.at(-1)?.content ?? '';
  return /<advisor_message>\n([\s\S]*?)\n<\/advisor_message>/.exec(last)?.[1] ?? '';
}

/** What the engine decided the customer says this turn, from a customer request. */
export function meaningOf(request: ProviderRequest): string {
  const last = request.body.messages.at(-1)?.content ?? '';
  return /WHAT YOU MEAN TO SAY: (.*)/.exec(last)?.[1] ?? '';
}
