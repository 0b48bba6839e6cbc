/**
 * ServiceSim as several bot processes on one Redis, and on a Redis Cluster: real `servicesim serve`
 * processes, real redis-server processes started by the test, real HTTP. One conversation's
 * messages go to different processes at once; every learner turn must reach the evidence once, in
 * order, each answered by the reply the learner actually saw.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openStores, type OpenStores } from '../cli/open-stores.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { sayAsLocalPage } from './local-page-message.ts';
import { startRedisCluster, startRedisServer } from './redis-server.ts';
import { startServiceSimProcess, type ServiceSimProcess } from './servicesim-process.ts';

/** Posts a message as the local page does (replies in the response) and returns the replies. */
const say = (bot: ServiceSimProcess, conversation: string, text: string | undefined, value?: unknown) =>
  sayAsLocalPage(bot.url, conversation, text, value);

/** Learner replies that keep the salon customer talking: questions and acknowledgements, no resolution. */
const LINES = [
  "I'm so sorry to hear that, Chloe. Could you tell me what time your booking was for?",
  'Thank you. Which stylist were you booked with?',
  'I understand how frustrating that must be. How did you make the booking?',
  'Could you tell me the name the booking was made under?',
  'Thanks for bearing with me. Do you remember when you made it?',
  'I can see why you are upset. Did you get a confirmation message?',
  'Let me make sure I have this right: you arrived on time and were told there was no slot?',
  'Is there a time later today that would work for you?',
  'What matters most to you in putting this right?',
  'Thank you for explaining that so clearly.',
];

/**
 * Ten pairs of messages, the two of each pair sent at the same moment to the two processes; each
 * pair waits for the one before, as a learner's next words wait for the customer's answer.
 * Returns the evidence record and, for each line, the customer's words its HTTP reply carried.
 */
async function alternateBetween(first: ServiceSimProcess, second: ServiceSimProcess, stores: OpenStores, conversation: string) {
  expect((await say(first, conversation, 'hello')).some((r) => /Welcome to ServiceSim/.test(r.text ?? ''))).toBe(true);
  const started = await say(second, conversation, undefined, { action: 'start', scenarioId: 'salon-double-booking' });
  expect(started.some((r) => r.attachments?.length)).toBe(true);
  const seen = new Map<string, string>();
  const sent: string[] = [];
  for (let pair = 0; pair < LINES.length / 2; pair += 1) {
    const lines = [LINES[2 * pair]!, LINES[2 * pair + 1]!];
    sent.push(...lines);
    const replies = await Promise.all(lines.map((line, i) => say(i === 0 ? first : second, conversation, line)));
    lines.forEach((line, i) => {
      const words = replies[i]!.filter((r) => r.type === 'message' && r.text && !r.text.startsWith('💡')).map((r) => r.text!);
      expect(words, `a reply to "${line}"`).toHaveLength(1);
      seen.set(line, words[0]!);
    });
  }
  const debrief = await say(first, conversation, 'end');
  expect(JSON.stringify(debrief)).toContain('Debrief');
  const [record] = await stores.evidence.listFor(`webchat-local/learner-of-${conversation}`);
  expect(record).toBeDefined();
  return { record: record!, seen, sent };
}

/** Every line once, pairs in the order sent, each followed by the customer's words its sender was shown. */
function expectEveryTurnOnceInOrder(record: EvidenceRecord, seen: Map<string, string>, sent: string[]): void {
  const learnerLines = record.turns.filter((t) => t.role === 'learner').map((t) => t.text);
  expect([...learnerLines].sort()).toEqual([...sent].sort());
  const pairOf = (line: string) => Math.floor(sent.indexOf(line) / 2);
  const pairs = learnerLines.map(pairOf);
  expect(pairs).toEqual([...pairs].sort((a, b) => a - b));
  record.turns.forEach((turn, i) => {
    if (turn.role !== 'learner') return;
    expect({ line: turn.text, answer: record.turns[i + 1]?.text }).toEqual({ line: turn.text, answer: seen.get(turn.text) });
  });
}

const quiet = pino({ level: 'silent' });

describe('two ServiceSim processes on one Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let processes: ServiceSimProcess[] = [];
  let stores: OpenStores;

  beforeAll(async () => {
    redis = await startRedisServer();
    processes = await Promise.all([1, 2].map(() => startServiceSimProcess({ REDIS_URL: redis.url })));
    stores = await openStores({ DATA_DIR: '', REDIS_URL: redis.url, REDIS_CLUSTER: 'false' }, quiet);
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
    await Promise.all(processes.map((p) => p.stop()));
    await redis?.stop();
  });

  it("keeps every learner turn once, in order, when one conversation's messages reach both at once", async () => {
    const { record, seen, sent } = await alternateBetween(processes[0]!, processes[1]!, stores, 'shared-conversation');
    expectEveryTurnOnceInOrder(record, seen, sent);
    expect(record.turns.filter((t) => t.role === 'learner')).toHaveLength(LINES.length);
  });

  it('warns at start that a Redis with no append-only file loses evidence when it restarts', async () => {
    await expect
      .poll(() => processes[0]!.stdout())
      .toMatch(/Warning: Redis at 127\.0\.0\.1:\d+ keeps no append-only file \(appendonly no\)/);
  });

  it('reports the store in /healthz', async () => {
    const health = await fetch(`${processes[0]!.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, store: 'reachable' });
  });
});

describe('ServiceSim on a three-master Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let processes: ServiceSimProcess[] = [];
  let stores: OpenStores;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    const REDIS_URL = cluster.nodes.map((n) => `redis://${n.host}:${n.port}`).join(',');
    processes = await Promise.all([1, 2].map(() => startServiceSimProcess({ REDIS_URL, REDIS_CLUSTER: 'true' })));
    stores = await openStores({ DATA_DIR: '', REDIS_URL, REDIS_CLUSTER: 'true' }, quiet);
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
    await Promise.all(processes.map((p) => p.stop()));
    await cluster?.stop();
  });

  it('runs a whole rehearsal through the bot, across two processes, into evidence the tutor can list', async () => {
    const { record, seen, sent } = await alternateBetween(processes[0]!, processes[1]!, stores, 'cluster-conversation');
    expectEveryTurnOnceInOrder(record, seen, sent);
    const page = await stores.evidence.list({ scenarioId: 'salon-double-booking', limit: 10 });
    expect(page.records.map((r) => r.id)).toContain(record.id);
  });

  // Last in this cluster's tests: it takes one master away.
  it('reports the store unreachable in /healthz when one master of the cluster is down', async () => {
    expect((await fetch(`${processes[0]!.url}/healthz`)).status).toBe(200);
    execFileSync('redis-cli', ['-p', String(cluster.nodes[2]!.port), 'shutdown', 'nosave']);
    await expect.poll(async () => (await fetch(`${processes[0]!.url}/healthz`)).status, { timeout: 15_000, interval: 250 }).toBe(503);
  });
});
