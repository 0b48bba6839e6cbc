/**
 * A turn that takes longer than the idle-connection deadline (a model playing the customer, or
 * judging at the end) is answered on the connection that asked for it, while a connection on which
 * nothing happens is still closed at that deadline.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMockCustomer } from '../engine/mock-customer.ts';
import { createMockScorer } from '../engine/mock-scorer.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { sayAsLocalPage } from './local-page-message.ts';

const IDLE_MS = 300;
let bot: RunningBot;

beforeAll(async () => {
  bot = await startBotServer({}, undefined, {
    limits: { idleSocketMs: IDLE_MS, requestsPerClientPerSecond: 0, activitiesPerConversationPerMinute: 0 },
    rehearsal: { customer: createMockCustomer({ delayMs: 4 * IDLE_MS }), scorer: createMockScorer() },
  });
}, 60_000);
afterAll(async () => bot?.close());

it('answers a turn that takes four times the idle deadline', async () => {
  await sayAsLocalPage(bot.url, 'slow-1', 'start faulty-washing-machine');
  const started = Date.now();
  const replies = await sayAsLocalPage(bot.url, 'slow-1', 'When does it leak?');
  expect(Date.now() - started).toBeGreaterThanOrEqual(4 * IDLE_MS);
  expect(replies.some((r) => r.type === 'message' && r.text)).toBe(true);
});

it('still closes a connection on which nothing happens', async () => {
  const { port } = new URL(bot.url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  await once(socket, 'close');
  expect(Date.now() - started).toBeLessThan(20 * IDLE_MS);
});
