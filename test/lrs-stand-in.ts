/**
 * A learning record store (LRS) for tests, over real HTTP on 127.0.0.1: enough of the xAPI 1.0.3
 * Statement Resource for the outbox to be tested against an LRS's answers rather than a mock's.
 *
 * @remarks
 * POST /statements checks the version header and Basic credentials, validates every statement with
 * `statementProblems` (a batch with one bad statement is refused whole, as an LRS must), keeps each
 * by id (the same statement again is kept once; another with a used id is a 409, as the spec says),
 * and answers 200 with the ids. GET /statements?statementId= returns one. A test can make it answer
 * 503 (down), 429 with Retry-After (busy) or 400 (refusing), or close it and start it again on the
 * same port, to see what the outbox does when an LRS is away.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { statementProblems } from '../engine/xapi-statement-rules.ts';

/** How the stand-in answers a POST: as an LRS should, or as one that is down, busy or refusing. */
export type LrsBehaviour = { kind: 'working' } | { kind: 'down' } | { kind: 'busy'; retryAfterSeconds: number } | { kind: 'refusing' };

export interface LrsStandIn {
  /** The endpoint to configure, with a trailing slash: http://127.0.0.1:<port>/xapi/ */
  endpoint: string;
  /** Statements stored, by id. */
  statements: Map<string, unknown>;
  /** Every POST to /statements it was sent, answered or not: its Authorization header and body. */
  posts: { authorization: string | undefined; body: unknown }[];
  behave(behaviour: LrsBehaviour): void;
  /** Stops listening (connections and all); `start` listens again on the same port with what it stored. */
  close(): Promise<void>;
  start(): Promise<void>;
}

export async function startLrsStandIn(credentials: { username: string; password: string }): Promise<LrsStandIn> {
  const statements = new Map<string, unknown>();
  const posts: LrsStandIn['posts'] = [];
  let behaviour: LrsBehaviour = { kind: 'working' };
  const expectedAuthorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/xapi/statements') return answer(response, 404, { message: 'no such resource' });
    if (!String(request.headers['x-experience-api-version'] ?? '').startsWith('1.0.'))
      return answer(response, 400, { message: 'X-Experience-API-Version 1.0.x is required' });
    if (request.headers.authorization !== expectedAuthorization) return answer(response, 401, { message: 'unknown credentials' });

    if (request.method === 'GET') {
      const id = url.searchParams.get('statementId');
      const found = id === null ? undefined : statements.get(id);
      return found === undefined ? answer(response, 404, { message: 'no such statement' }) : answer(response, 200, found);
    }
    if (request.method !== 'POST') return answer(response, 405, { message: 'use GET or POST' });

    const text = await bodyOf(request);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return answer(response, 400, { message: 'the body is not JSON' });
    }
    posts.push({ authorization: request.headers.authorization, body });
    if (behaviour.kind === 'down') return answer(response, 503, { message: 'down for maintenance' });
    if (behaviour.kind === 'busy')
      return answer(response, 429, { message: 'too many requests' }, { 'Retry-After': String(behaviour.retryAfterSeconds) });
    if (behaviour.kind === 'refusing') return answer(response, 400, { message: 'this LRS refuses these statements' });
    if (!request.headers['content-type']?.startsWith('application/json'))
      return answer(response, 400, { message: 'Content-Type must be application/json' });

    const batch = Array.isArray(body) ? body : [body];
    const problems = batch.flatMap((statement, i) => statementProblems(statement).map((p) => `[${i}] ${p}`));
    const ids = batch.map((statement) => (statement as { id?: unknown }).id);
    if (ids.some((id) => typeof id !== 'string')) problems.push('every statement here needs an id');
    if (new Set(ids).size !== ids.length) problems.push('two statements in one batch have the same id');
    if (problems.length > 0) return answer(response, 400, { message: 'invalid statements', problems });
    for (const [i, statement] of batch.entries()) {
      const kept = statements.get(ids[i] as string);
      if (kept !== undefined && !isDeepStrictEqual(kept, statement))
        return answer(response, 409, { message: `statement ${String(ids[i])} is already stored, differently` });
    }
    for (const [i, statement] of batch.entries()) statements.set(ids[i] as string, statement);
    answer(response, 200, ids);
  };

  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    server = createServer((request, response) => {
      handle(request, response).catch(() => answer(response, 500, { message: 'the stand-in failed' }));
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  await start();

  return {
    endpoint: `http://127.0.0.1:${port}/xapi/`,
    statements,
    posts,
    behave: (next) => {
      behaviour = next;
    },
    start,
    close: async () => {
      if (!server?.listening) return;
      const closing = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closing;
    },
  };
}

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3', ...headers });
  response.end(JSON.stringify(body));
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
