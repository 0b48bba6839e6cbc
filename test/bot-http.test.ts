/**
 * The real server over HTTP: activities POSTed to /api/messages, replies delivered by the bot to a
 * local serviceUrl endpoint, a whole rehearsal from `start` to the debrief; bad requests; auth;
 * an over-long message; a static file that cannot be read.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { temporaryFolder } from './temporary-folder.ts';

interface Reply {
  type: string;
  text?: string;
  attachments?: Array<{ content: unknown }>;
}

/** A stand-in for a channel's connector: receives what the bot sends to serviceUrl. */
async function startConnector() {
  const received: Reply[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) {
        received.push(JSON.parse(body) as Reply);
        waiters.splice(0).forEach((w) => w());
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let bot: RunningBot;
let connector: Awaited<ReturnType<typeof startConnector>>;
beforeAll(async () => {
  bot = await startBotServer();
  connector = await startConnector();
});
afterAll(async () => {
  await bot.close();
  await connector.close();
});

/**
 * A message activity from Web Chat on this server, complete enough to pass every check; each test
 * overrides only the fields it is about, so what differs from an ordinary message is all it shows.
 * A field overridden with `undefined` is left out of the JSON: that is how a test removes one.
 */
function messageActivity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channelId: 'webchat-local',
    serviceUrl: bot.url,
    conversation: { id: 'c' },
    from: { id: 'u' },
    recipient: { id: 'servicesim' },
    ...overrides,
  };
}

let sequence = 0;
async function post(body: Record<string, unknown>, url = bot.url) {
  return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}
/** Sends a message the normal way and returns what reached the connector in reply. */
async function say(
  text: string | undefined,
  value?: unknown,
  who = { conversation: 'http-conversation', learner: 'http-learner' },
): Promise<Reply[]> {
  const before = connector.received.length;
  const response = await post(
    messageActivity({
      id: `in-${++sequence}`,
      text,
      ...(value ? { value } : {}),
      serviceUrl: connector.url,
      conversation: { id: who.conversation },
      from: { id: who.learner, name: 'Sam' },
    }),
  );
  expect(response.status).toBeLessThan(300);
  return connector.received.slice(before);
}

describe('the bot over HTTP', () => {
  it('runs a whole rehearsal, from start to the debrief card, replying to the serviceUrl', async () => {
    expect((await say('hello')).some((r) => /Welcome to ServiceSim/.test(r.text ?? ''))).toBe(true);
    const started = await say(undefined, { action: 'start', scenarioId: 'salon-double-booking' });
    expect(started.some((r) => r.attachments?.length)).toBe(true);
    const reply = await say("I'm so sorry, Chloe, that must be really upsetting. How did you make the booking?");
    expect(reply.filter((r) => r.type === 'message').length).toBeGreaterThan(0);
    const debrief = await say('end');
    expect(JSON.stringify(debrief)).toContain('Debrief');
    const [record] = await bot.evidence.listFor('webchat-local/http-learner');
    expect(record?.scenario.id).toBe('salon-double-booking');
  });

  it('returns the replies in the response with deliveryMode expectReplies', async () => {
    const response = await post(
      messageActivity({
        text: 'help',
        deliveryMode: 'expectReplies',
        conversation: { id: 'expect-replies' },
        from: { id: 'page-learner' },
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { activities: Reply[] };
    expect(body.activities.length).toBeGreaterThan(0);
  });

  it('answers a malformed activity with 400 and a reason, and a foreign serviceUrl with 403', async () => {
    const malformed = await post({ type: 'message', text: 'hi' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not a Bot Framework activity/);
    const notJson = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    const foreign = await post(messageActivity({ text: 'hi', serviceUrl: 'https://example.com' }));
    expect(foreign.status).toBe(403);
    const noRecipient = await post(messageActivity({ text: 'hi', recipient: undefined }));
    expect(noRecipient.status).toBe(400);
  });

  it('refuses what another web site could make a browser send: a form post, a foreign Origin, a rebound Host', async () => {
    const activity = messageActivity({ text: 'history', conversation: { id: 'csrf' } });
    const form = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'type=message&text=history',
    });
    expect(form.status).toBe(415);
    const { request } = await import('node:http');
    const send = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${bot.url}/api/messages`);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...headers },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(activity));
      });
    expect(await send({ Origin: 'https://evil.example.com' })).toBe(403);
    expect(await send({ Host: 'evil.example.com' })).toBe(403);
    expect(await send({ Origin: bot.url })).toBe(200);
  });

  it("runs one conversation's messages one at a time, so two sent together are both kept", async () => {
    const typed = (text: string) =>
      post(messageActivity({ text, deliveryMode: 'expectReplies', conversation: { id: 'concurrent' }, from: { id: 'fast-typist' } }));
    await typed('hello');
    await typed('start faulty-washing-machine');
    await Promise.all([typed("I'm so sorry. When did it start?"), typed('And what did the engineer say?')]);
    await typed('end');
    const [record] = await bot.evidence.listFor('webchat-local/fast-typist');
    expect(
      record!.turns
        .filter((t) => t.role === 'learner')
        .map((t) => t.text)
        .sort(),
    ).toEqual(['And what did the engineer say?', "I'm so sorry. When did it start?"]);
  });

  it('answers a Teams card action (an invoke) with the invoke response', async () => {
    const response = await post(
      messageActivity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        serviceUrl: connector.url,
        conversation: { id: 'invoke' },
        value: { action: { type: 'Action.Execute', verb: 'pick', data: { action: 'pick' } } },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ statusCode: 200 });
  });

  it("answers a 1 MB message politely, and the same rehearsal goes on to the customer's answer and the debrief", async () => {
    const who = { conversation: 'long-message', learner: 'long-message-learner' };
    const messages = (replies: Reply[]) => replies.filter((r) => r.type === 'message');
    await say('hello', undefined, who);
    await say('start faulty-washing-machine', undefined, who);
    const refused = messages(await say('x'.repeat(1_000_000), undefined, who));
    expect(refused.map((r) => r.text)).toEqual([expect.stringMatching(/too long/)]);

    const normal = "I'm sorry about the leak. When did it start?";
    const answered = messages(await say(normal, undefined, who)).filter((r) => !/too long|Coaching/.test(r.text ?? ''));
    expect(answered.length).toBeGreaterThan(0);
    expect(JSON.stringify(await say('end', undefined, who))).toContain('Debrief');

    // The evidence shows it was one rehearsal: the normal reply is its only learner turn (the 1 MB
    // one was never taken in), and what came back to it is the customer's next turn in the record.
    // Had the refusal dropped the rehearsal, the reply would have met no customer and no record would hold it.
    const [record] = await bot.evidence.listFor(`webchat-local/${who.learner}`);
    expect(record?.scenario.id).toBe('faulty-washing-machine');
    const turns = record!.turns;
    const learnerTurn = turns.findIndex((t) => t.role === 'learner');
    expect(turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([normal]);
    expect(turns[learnerTurn + 1]).toMatchObject({ role: 'customer', text: answered[0]!.text });
  });

  it('serves the rehearsal page and Web Chat from node_modules', async () => {
    const page = await fetch(`${bot.url}/`);
    expect(await page.text()).toContain('<script src="/webchat.js"></script>');
    const bundle = await fetch(`${bot.url}/webchat.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(1_000_000);
  });
});

describe('the bot with an app id configured', () => {
  it('refuses a request without a Bot Framework token with 401', async () => {
    const secured = await startBotServer({
      MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: '00000000-0000-0000-0000-000000000002',
    });
    try {
      const fromTeams = messageActivity({ text: 'hello', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/uk/' });
      const response = await post(fromTeams, secured.url);
      expect(response.status).toBe(401);
      const forged = await fetch(`${secured.url}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl' },
        body: JSON.stringify(fromTeams),
      });
      expect(forged.status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});

describe('the bot through a restart and a failure', () => {
  const message = (url: string, conversation: string, text: string) =>
    fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        messageActivity({
          text,
          serviceUrl: url,
          deliveryMode: 'expectReplies',
          conversation: { id: conversation },
          from: { id: 'restart-learner' },
        }),
      ),
    }).then(async (r) => ((await r.json()) as { activities: Reply[] }).activities);

  /** A rehearsal of the washing-machine scenario, one learner reply in. */
  async function rehearsalUnderWay(url: string, conversation: string) {
    await message(url, conversation, 'hello');
    await message(url, conversation, 'start faulty-washing-machine');
    await message(url, conversation, "I'm sorry about that. When did it start leaking?");
  }

  // Each test's data folder is its own, kept across server restarts and removed when the test finishes.
  it('carries on the same rehearsal after the server restarts over the same data folder', async () => {
    const dir = temporaryFolder('servicesim-data-');
    const first = await startBotServer({}, dir);
    await rehearsalUnderWay(first.url, 'restart');
    await first.close();
    const second = await startBotServer({}, dir);
    await message(second.url, 'restart', 'And what did the engineer say?');
    const ended = await message(second.url, 'restart', 'end');
    expect(JSON.stringify(ended)).toContain('Debrief');
    const [record] = await second.evidence.listFor('webchat-local/restart-learner');
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual([
      "I'm sorry about that. When did it start leaking?",
      'And what did the engineer say?',
    ]);
    await second.close();
  });

  it('apologises with a reference when the evidence cannot be saved, shows no internals, and loses nothing', async () => {
    const dir = temporaryFolder('servicesim-data-');
    const running = await startBotServer({}, dir);
    await rehearsalUnderWay(running.url, 'failure');
    // Another connection to the database makes every evidence save fail, as a fault inside SQLite would.
    const db = new Database(path.join(dir, 'servicesim.db'));
    db.exec("CREATE TRIGGER refuse_evidence BEFORE INSERT ON evidence BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    const failed = JSON.stringify(await message(running.url, 'failure', 'end'));
    expect(failed).toMatch(/Your rehearsal has ended, but I could not prepare your debrief just now.*Reference [0-9a-f]{8}/);
    expect(failed).not.toMatch(/refused by the test|SQLITE|at .*\.ts|stack/i);
    db.exec('DROP TRIGGER refuse_evidence');
    db.close();
    const retried = JSON.stringify(await message(running.url, 'failure', 'end'));
    expect(retried).toContain('Debrief');
    const [record] = await running.evidence.listFor('webchat-local/restart-learner');
    expect(record!.turns.some((t) => t.text === "I'm sorry about that. When did it start leaking?")).toBe(true);
    await running.close();
  });
});

describe('the bot when a static file cannot be read', () => {
  it('answers 500 for the Web Chat bundle, logs it, and keeps serving: the process does not die', async () => {
    // The bundle's path is a test's own, so it can be missing, a folder, then a real file in turn.
    const bundle = path.join(temporaryFolder('servicesim-bundle-'), 'webchat.js');
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    // Without the fix, the read stream's error is thrown uncaught: this listener sees it (and keeps
    // vitest's worker alive long enough to say so) instead of the process ending.
    process.on('uncaughtException', record);
    const logs: Array<{ msg: string; err?: { code?: string } }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const running = await startBotServer({}, undefined, { webchatBundle: bundle, logger });
    try {
      // A time limit, because a server that sent 200 and then lost its stream would never finish the body.
      const get = (route: string) => fetch(`${running.url}${route}`, { signal: AbortSignal.timeout(5_000) });
      const missing = await get('/webchat.js');
      expect(missing.status).toBe(500);
      expect(await missing.text()).not.toContain(bundle);
      expect((await get('/healthz')).status).toBe(200);

      await mkdir(bundle);
      expect((await get('/webchat.js')).status).toBe(500);
      expect((await get('/healthz')).status).toBe(200);

      await rm(bundle, { recursive: true });
      await writeFile(bundle, 'window.WebChat = {};');
      const served = await get('/webchat.js');
      expect(served.status).toBe(200);
      expect(await served.text()).toBe('window.WebChat = {};');
      expect(uncaught).toEqual([]);
      expect(logs.filter((l) => l.msg === 'Web Chat bundle not served').map((l) => l.err?.code)).toEqual(['ENOENT', undefined]);
    } finally {
      process.off('uncaughtException', record);
      await running.close();
    }
  });
});
