/**
 * The HTTP edge against a hostile or broken client, over real HTTP, in both security modes: each
 * case gets the status it should, the server answers another conversation afterwards, nothing is
 * written outside the data folder, and nothing a learner wrote reaches the log.
 */
import { readdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_DOWN_TEXT } from '../bot/conversation-limits.ts';
import type { HttpLimits } from '../bot/http-limits.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';

/** A learner's words that must never appear in a log line. */
const SECRET = 'my-card-number-is-4929-secret';

interface Connector {
  url: string;
  texts: string[];
  /** Requests it holds without answering, as a stalled connector does. */
  stall: boolean;
  close: () => Promise<void>;
}

async function startConnector(): Promise<Connector> {
  const held: Array<() => void> = [];
  const connector: Connector = { url: '', texts: [], stall: false, close: async () => {} };
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const activity = JSON.parse(body || '{}') as { text?: string };
      if (activity.text) connector.texts.push(activity.text);
      const answer = () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"id":"x"}');
      };
      if (connector.stall) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  connector.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  connector.close = async () => {
    held.splice(0).forEach((answer) => answer());
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return connector;
}

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

let sequence = 0;
function message(connector: Connector, fields: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: `m-${++sequence}`,
    text: 'help',
    channelId: 'test',
    serviceUrl: connector.url,
    conversation: { id: `c-${sequence}` },
    from: { id: 'learner' },
    recipient: { id: 'servicesim' },
    ...fields,
  };
}

async function post(bot: RunningBot, body: string | Buffer | object, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body);
  return fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: payload });
}

/** The server still serves another learner: a fresh conversation gets the help text. */
async function stillAnswers(bot: RunningBot, connector: Connector): Promise<void> {
  expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  if (connector.stall) return;
  const before = connector.texts.length;
  expect((await post(bot, message(connector))).status).toBe(200);
  expect(connector.texts.slice(before).join(' ')).toMatch(/Commands:/);
}

function multipart(bytes: number): { body: Buffer; type: string } {
  const boundary = 'servicesim-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), Buffer.alloc(bytes, 120), Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

const tempEntries = () => new Set(readdirSync(tmpdir()));

const SECURED = {
  MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
  MicrosoftAppPassword: 'not-a-real-secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: '00000000-0000-0000-0000-000000000002',
};

for (const mode of ['local anonymous', 'authenticated'] as const) {
  describe(`before the body is read (${mode} mode)`, () => {
    let bot: RunningBot;
    let connector: Connector;
    beforeAll(async () => {
      connector = await startConnector();
      bot = await startBotServer(mode === 'authenticated' ? SECURED : {}, undefined, { logger });
    });
    afterAll(async () => {
      await bot.close();
      await connector.close();
    });

    it('refuses a compressed body unread, however small it packs', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 32));
      expect(bomb.length).toBeLessThan(100 * 1024);
      const response = await post(bot, bomb, { 'Content-Encoding': 'gzip' });
      expect(response.status).toBe(415);
      expect(await response.text()).toMatch(/uncompressed/);
    });

    it('refuses a multipart upload without writing anything to disk', async () => {
      const before = tempEntries();
      const { body, type } = multipart(3 * 1024 * 1024);
      const response = await post(bot, body, { 'Content-Type': type, Origin: 'https://evil.example' });
      expect(response.status).toBe(415);
      expect([...tempEntries()].filter((e) => !before.has(e) && !e.startsWith('servicesim-'))).toEqual([]);
    });

    it('refuses a body declared larger than the limit before reading it', async () => {
      // Declared 3 MB, sent a few bytes: only a check of the declared size answers before reading.
      const status = await new Promise<number>((resolve, reject) => {
        const { port } = new URL(bot.url);
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${3 * 1024 * 1024}\r\n\r\n{"a":`,
          );
        });
        socket.once('data', (data) => {
          resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString())?.[1]));
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(status).toBe(413);
    });

    it('refuses a compressed body on any path, and the guard whatever the path is spelt', async () => {
      const corrupt = Buffer.from('this is not gzip');
      const other = await fetch(`${bot.url}/healthz`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: new Uint8Array(corrupt),
      });
      expect(other.status).toBe(415);
      const spelt = await fetch(`${bot.url}/api/%6Dessages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Host: 'evil.example', Origin: 'http://evil.example' },
        body: JSON.stringify(message(connector)),
      });
      expect(spelt.status).toBe(mode === 'authenticated' ? 401 : 403);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });

    it('keeps serving other learners afterwards', async () => {
      if (mode === 'authenticated') return expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      await stillAnswers(bot, connector);
    });
  });
}

describe('tokens (authenticated mode)', () => {
  let bot: RunningBot;
  let connector: Connector;
  beforeAll(async () => {
    connector = await startConnector();
    bot = await startBotServer(SECURED, undefined, { logger });
  });
  afterAll(async () => {
    await bot.close();
    await connector.close();
  });

  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const claims = { iss: 'https://api.botframework.com', aud: SECURED.MicrosoftAppId, exp: Math.floor(Date.now() / 1000) + 600 };

  it.each([
    ['no token', undefined],
    ['a token with alg none', `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`],
    ['a token signed with another key', `Bearer ${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`],
    ['a token that is not a JWT', 'Bearer not-a-token'],
  ])('answers %s with 401, no reason, and one log line', async (_name, authorization) => {
    logLines.length = 0;
    const response = await post(
      bot,
      message(connector, { serviceUrl: 'https://smba.trafficmanager.net/uk/' }),
      authorization ? { Authorization: authorization } : {},
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'not authorised' });
    const refusals = logLines.filter((line) => line.includes('token not accepted'));
    expect(refusals).toHaveLength(1);
    expect(logLines.join('')).not.toMatch(/-----BEGIN|"stack"/);
  });
});

describe('an address that keeps sending refused tokens (authenticated mode)', () => {
  it('is answered 429 after 20 refusals a minute, before its tokens are checked', async () => {
    const connector = await startConnector();
    const bot = await startBotServer(SECURED, undefined, { logger });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push((await post(bot, message(connector, { serviceUrl: 'https://smba.trafficmanager.net/uk/' }))).status);
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      await bot.close();
      await connector.close();
    }
  });
});

describe('activities (local anonymous mode)', () => {
  let bot: RunningBot;
  let connector: Connector;
  beforeAll(async () => {
    connector = await startConnector();
    bot = await startBotServer({}, undefined, { logger, limits: { connectorTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await bot.close();
    await connector.close();
  });
  afterEach(() => {
    connector.stall = false;
    expect(logLines.join('\n')).not.toContain(SECRET);
  });

  it.each([
    ['entities', { entities: 'oops' }, /entities/],
    ['attachments', { attachments: [{ content: 1 }] }, /attachments\.0\.contentType/],
    ['channelData', { channelData: [] }, /channelData/],
    ['membersAdded', { type: 'conversationUpdate', membersAdded: [{}] }, /membersAdded\.0\.id/],
  ])('answers a malformed %s with 400 naming it', async (_field, fields, named) => {
    const response = await post(bot, message(connector, { text: SECRET, ...fields }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(named);
    await stillAnswers(bot, connector);
  });

  it('refuses a structure nested deeper than any activity, so no reply can fail to serialise', async () => {
    let deep: Record<string, unknown> = { id: 'c-deep' };
    for (let i = 0; i < 1000; i++) deep = { id: 'c-deep', nested: deep };
    const response = await post(bot, message(connector, { text: SECRET, conversation: deep }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/nested more than 32 levels/);
    await stillAnswers(bot, connector);
  });

  it('keeps only the known fields of the conversation it copies into replies', async () => {
    const response = await post(
      bot,
      message(connector, { conversation: { id: 'c-extra', extra: { a: 1 } }, deliveryMode: 'expectReplies', serviceUrl: bot.url }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { activities: Array<{ conversation: object }> };
    expect(body.activities[0]!.conversation).toEqual({ id: 'c-extra' });
  });

  it('does not let a stalled connector hold up the learner for longer than its deadline', async () => {
    connector.stall = true;
    const conversation = { id: 'c-stalled' };
    const started = Date.now();
    const first = await post(bot, message(connector, { conversation, text: 'help' }));
    const second = await post(bot, message(connector, { conversation, text: 'help' }));
    expect([first.status, second.status]).toEqual([200, 200]);
    // Each turn posts its reply (300 ms deadline) and then an apology (another 300 ms): never the minutes a stalled socket could hold.
    expect(Date.now() - started).toBeLessThan(4000);
    connector.stall = false;
    await stillAnswers(bot, connector);
  });
});

describe('rate limits (local anonymous mode)', () => {
  let connector: Connector;
  beforeAll(async () => {
    connector = await startConnector();
  });
  afterAll(async () => connector.close());

  const withLimits = (limits: Partial<HttpLimits>) =>
    startBotServer({}, undefined, {
      logger,
      limits: { requestsPerClientPerSecond: 0, newConversationsPerClientPerMinute: 0, activitiesPerConversationPerMinute: 0, ...limits },
    });

  it('tells a learner who sends too fast to slow down, once, then answers 429', async () => {
    const bot = await withLimits({ activitiesPerConversationPerMinute: 3 });
    try {
      const conversation = { id: 'c-fast' };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await post(bot, message(connector, { conversation }))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(connector.texts.filter((t) => t === SLOW_DOWN_TEXT)).toHaveLength(1);
      await stillAnswers(bot, connector);
    } finally {
      await bot.close();
    }
  });

  it('caps the new conversations one client may open in a minute', async () => {
    const bot = await withLimits({ newConversationsPerClientPerMinute: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(bot, message(connector))).status);
      expect(statuses).toEqual([200, 200, 429]);
      // An existing conversation carries on.
      expect((await post(bot, message(connector, { conversation: { id: `c-${sequence - 1}` } }))).status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  it('counts clients behind a trusted proxy by X-Forwarded-For, and ignores the header otherwise', async () => {
    const burst = async (bot: RunningBot) => {
      const statuses: number[] = [];
      for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2']) {
        statuses.push((await post(bot, message(connector), { 'X-Forwarded-For': `${client}, 10.0.0.9` })).status);
      }
      return statuses;
    };
    const proxied = await withLimits({ requestsPerClientPerSecond: 2, trustedProxyHops: 2 });
    try {
      expect(await burst(proxied)).toEqual([200, 200, 200, 200]);
    } finally {
      await proxied.close();
    }
    const direct = await withLimits({ requestsPerClientPerSecond: 2 });
    try {
      expect((await burst(direct)).filter((status) => status === 429)).toHaveLength(2);
    } finally {
      await direct.close();
    }
  });

  it('answers a client sending too many requests a second with 429 and Retry-After, before reading them', async () => {
    const bot = await withLimits({ requestsPerClientPerSecond: 3 });
    try {
      const responses = await Promise.all(Array.from({ length: 6 }, () => post(bot, message(connector))));
      const limited = responses.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(3);
      expect(limited[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await bot.close();
    }
  });
});

describe('connections (local anonymous mode)', () => {
  it('closes connections from one client beyond its cap, and still serves once they go', async () => {
    const connector = await startConnector();
    const bot = await startBotServer({}, undefined, { logger, limits: { connectionsPerClient: 5 } });
    const port = Number(new URL(bot.url).port);
    const sockets: Socket[] = [];
    const closed = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        sockets.push(socket);
        const gone = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
        return Promise.race([gone, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500))]);
      }),
    );
    try {
      expect(closed.filter(Boolean)).toHaveLength(5);
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => setTimeout(resolve, 50));
      await stillAnswers(bot, connector);
    } finally {
      await bot.close();
      await connector.close();
    }
  });
});
