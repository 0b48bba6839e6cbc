/**
 * The learner sees the review: a message in the conversation they rehearsed in when a tutor signs
 * (the local page's mailbox, or a Teams-like connector), retried until delivered; and `history`
 * with the verdict and feedback, opening one rehearsal's debrief with the tutor's levels and comments.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { sayAsLocalPage } from './local-page-message.ts';
import { addTutor, rehearseAsLocalPage } from './review-fixtures.ts';

let bot: RunningBot;
let token: string;

beforeAll(async () => {
  bot = await startBotServer(undefined, undefined, { review: { noticeRetryDelaysMs: [0] } });
  token = (await addTutor(bot.state, 'ann@example.org', { role: 'admin', name: 'Ann Tutor' })).token;
}, 30_000);
afterAll(async () => {
  await bot?.close();
});

async function sign(recordId: string, body: Record<string, unknown>): Promise<{ delivery: string }> {
  const response = await fetch(`${bot.url}/api/rehearsals/${recordId}/reviews`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { delivery: string };
}

async function scoredDimension(recordId: string): Promise<{ id: string; level: number }> {
  const record = await bot.evidence.get(recordId);
  const [id, score] = Object.entries(record!.report.dimensions).find(([, d]) => d.level !== null)!;
  return { id, level: score.level! };
}

describe('in the local page', () => {
  it("the signed review arrives as a message, and history shows it and opens the debrief with the tutor's levels and comments", async () => {
    const recordId = await rehearseAsLocalPage(bot.url, 'learner-1', [
      "I'm sorry about the water on your floor. When did you first notice the leak?",
      'I can book an engineer for Thursday morning. Would that work for you?',
    ]);
    const { id: dimension, level } = await scoredDimension(recordId);
    const tutorLevel = level === 0 ? 2 : 0;
    const { delivery } = await sign(recordId, {
      dimensions: { [dimension]: { level: tutorLevel, reason: 'You asked only one question before offering.' } },
      comments: [{ turn: 2, text: 'A warm apology: keep it.' }],
      feedback: 'Clear and polite. Ask about the cause before you offer a visit.',
      verdict: 'needs-another-attempt',
      nextScenario: 'faulty-washing-machine',
    });
    expect(delivery).toBe('delivered');

    const mailbox = (await (await fetch(`${bot.url}/local/conversations/learner-1/activities`)).json()) as {
      activities: Array<{ text?: string; from?: { id?: string } }>;
    };
    expect(mailbox.activities).toHaveLength(1);
    expect(mailbox.activities[0]!.text).toMatch(/Your tutor Ann Tutor has reviewed your rehearsal/);
    expect(mailbox.activities[0]!.text).toMatch(/needs another attempt/);
    expect(mailbox.activities[0]!.text).toMatch(/Ask about the cause before you offer a visit/);
    expect(mailbox.activities[0]!.from?.id).toBe('servicesim');
    // Reading changes nothing (a poll whose answer is lost loses no message; the page skips ids it has shown).
    const again = (await (await fetch(`${bot.url}/local/conversations/learner-1/activities`)).json()) as { activities: unknown[] };
    expect(again.activities).toEqual(mailbox.activities);
    // No other web site (or rebound DNS name) can read it.
    const foreign = await fetch(`${bot.url}/local/conversations/learner-1/activities`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);

    const [history] = await sayAsLocalPage(bot.url, 'learner-1', 'history');
    expect(history!.text).toMatch(/1\. .*Faulty washing machine|1\. .*washing machine/i);
    expect(history!.text).toMatch(/tutor Ann Tutor: \*\*needs another attempt\*\*: "Clear and polite/);
    expect(history!.text).toContain(`${dimension} ${tutorLevel}`);

    const [opened] = await sayAsLocalPage(bot.url, 'learner-1', 'history 1');
    const card = JSON.stringify(opened!.attachments);
    expect(card).toContain("Your tutor's review: needs another attempt");
    expect(card).toContain('A warm apology: keep it.');
    expect(card).toContain(`${tutorLevel}/3`);
    expect(card).toContain(`set by your tutor (scored ${level}/3)`);
    expect(card).toContain('You asked only one question before offering.');

    const [outOfRange] = await sayAsLocalPage(bot.url, 'learner-1', 'history 7');
    expect(outOfRange!.text).toMatch(/Choose a number from 1 to 1/);

    // The same sign-off sent again (a retried request) is one review, and the learner is told once.
    const resend = () =>
      fetch(`${bot.url}/api/rehearsals/${recordId}/reviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'sign-off-2' },
        body: JSON.stringify({ feedback: 'One more thought: well paced.', verdict: 'meets-standard' }),
      });
    expect((await resend()).status).toBe(201);
    expect((await resend()).status).toBe(200);
    const waiting = (await (await fetch(`${bot.url}/local/conversations/learner-1/activities`)).json()) as {
      activities: Array<{ text: string }>;
    };
    expect(waiting.activities.filter((a) => a.text.includes('One more thought'))).toHaveLength(1);
    expect(await bot.evidence.reviewStatusOf(recordId)).toBe('meets-standard');
    // The same key with other content (edited before sending again) is a new review, never lost.
    const edited = await fetch(`${bot.url}/api/rehearsals/${recordId}/reviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'sign-off-2' },
      body: JSON.stringify({ feedback: 'Edited: well paced, and confirm next time.', verdict: 'needs-another-attempt' }),
    });
    expect(edited.status).toBe(201);
    expect(await bot.evidence.reviewStatusOf(recordId)).toBe('needs-another-attempt');
  }, 30_000);
});

/** A stand-in for Teams' connector service that can be taken down (answering 503) and brought back. */
class SwitchableConnector {
  up = true;
  readonly received: Array<{ conversation: string; text?: string }> = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Not chained: restify, loaded in this process, replaces writeHead with one that returns nothing.
      if (!this.up) {
        res.writeHead(503);
        return void res.end();
      }
      const conversation = decodeURIComponent(/^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '')?.[1] ?? '');
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { type?: string; text?: string };
      if (activity.type === 'message') this.received.push({ conversation, ...(activity.text ? { text: activity.text } : {}) });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('in Teams', () => {
  it("a review signed while the channel is down is queued, and delivered into the rehearsal's conversation when it is back", async () => {
    const connector = new SwitchableConnector();
    const serviceUrl = await connector.listen();
    try {
      const conversation = 'a:teams-personal-chat';
      const say = async (text: string) => {
        const response = await fetch(`${bot.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            channelId: 'msteams',
            serviceUrl,
            conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' },
            from: { id: '29:learner', aadObjectId: 'aad-learner', name: 'Priya' },
            recipient: { id: '28:servicesim' },
            channelData: { tenant: { id: 'tenant-1' } },
            text,
          }),
        });
        expect(response.status).toBe(200);
      };
      await say('start faulty-washing-machine');
      await say("I'm sorry to hear that. When did it start leaking?");
      await say('end');
      const [record] = await bot.evidence.listFor('tenant-1/aad-learner');
      expect(record).toBeDefined();

      connector.up = false;
      const { delivery } = await sign(record!.id, { feedback: 'Well done.', verdict: 'meets-standard' });
      expect(delivery).toBe('queued');
      expect(await bot.notices.pending()).toBe(1);
      expect(await bot.notices.retryDue()).toBe(0);
      expect(await bot.notices.pending()).toBe(1);

      connector.up = true;
      expect(await bot.notices.retryDue()).toBe(1);
      expect(await bot.notices.pending()).toBe(0);
      const notice = connector.received.filter((m) => /has reviewed your rehearsal/.test(m.text ?? ''));
      expect(notice).toEqual([{ conversation, text: expect.stringMatching(/meets the standard[\s\S]*Well done\./) }]);
    } finally {
      await connector.close();
    }
  }, 30_000);
});
