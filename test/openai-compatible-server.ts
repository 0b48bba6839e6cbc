/**
 * An OpenAI-compatible chat completions server for tests, over real HTTP on 127.0.0.1: it stands in
 * for Ollama, vLLM or LM Studio, so the adapter (and later the whole bot) is tested against a socket
 * and a server's answers rather than an interceptor's.
 *
 * @remarks
 * POST /v1/chat/completions answers with a `chat.completion` whose content the test chooses, counting
 * tokens roughly (four characters a token) as a local server would; or with any status, headers and
 * body the test chooses, to play a server that is failing, busy or refusing. It keeps every request
 * body it was sent. Any other path is a 404.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an OpenAI-compatible client sends (the fields a test looks at; others are kept too). */
export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_completion_tokens?: number;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
  [field: string]: unknown;
}

/** The server's answer to one request: a completion with this content, or this raw HTTP response. */
export type ChatReply = { content: string } | { status: number; headers?: Record<string, string>; body?: string };

export interface OpenAiCompatibleServer {
  /** What to configure as the client's base URL: http://127.0.0.1:<port>/v1 */
  baseURL: string;
  /** Every request body sent to /v1/chat/completions, in order. */
  requests: ChatRequestBody[];
  /** Stops listening and drops open connections; closing twice is no error. */
  close(): Promise<void>;
}

export async function startOpenAiCompatibleServer(
  respond: (body: ChatRequestBody) => ChatReply | Promise<ChatReply>,
): Promise<OpenAiCompatibleServer> {
  const requests: ChatRequestBody[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (pathname !== '/v1/chat/completions') return answer(response, 404, openAiError('no such path', 'not_found'));
    if (request.method !== 'POST') return answer(response, 405, openAiError('use POST', 'method_not_allowed'));
    let body: ChatRequestBody;
    try {
      body = JSON.parse(await bodyOf(request)) as ChatRequestBody;
    } catch {
      return answer(response, 400, openAiError('the body is not JSON', 'invalid_request_error'));
    }
    requests.push(body);
    const reply = await respond(body);
    if ('status' in reply) {
      response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      response.end(reply.body ?? JSON.stringify(openAiError(`status ${reply.status}`, 'server_error')));
      return;
    }
    answer(response, 200, completionOf(body, reply.content));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, openAiError('the stand-in failed', 'server_error')));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      if (!server.listening) return;
      const closing = once(server, 'close');
      server.close();
      // The client keeps its connections alive; without this, close would wait for them to time out.
      server.closeAllConnections();
      await closing;
    },
  };
}

/** A `chat.completion` as OpenAI shapes it, naming the model it was asked for, as local servers do. */
function completionOf(body: ChatRequestBody, content: string): unknown {
  const promptCharacters = (body.messages ?? []).reduce((sum, message) => sum + String(message.content ?? '').length, 0);
  const promptTokens = roughTokens(promptCharacters);
  const completionTokens = roughTokens(content.length);
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2, 12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'stand-in',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** About four characters a token, and at least one: what a tokenizer gives for English. */
function roughTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

function openAiError(message: string, type: string): unknown {
  return { error: { message, type, param: null, code: null } };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
