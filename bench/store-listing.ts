/**
 * Store speed for the tutor's review (part of `npm run bench`): with 10,000 stored evidence records,
 * how long a filtered page of 50 takes (p50, p95), on SQLite and on Redis; and how long writing and
 * reading back one 30-turn record takes. Target: a filtered page in p95 < 20 ms on both.
 *
 *   npx tsx bench/store-listing.ts [--records 10000] [--store sqlite,redis]
 *
 * Redis is a redis-server this bench starts on a free port and stops (as the tests do); SQLite is a
 * database in a temporary folder. Both are removed at the end, whatever happens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openStores, type OpenStores } from '../cli/open-stores.ts';
import { EVIDENCE_SCHEMA_VERSION, type EvidenceRecord } from '../engine/evidence-record.ts';
import { positionOf, type EvidenceQuery, type ReviewStatus } from '../store/evidence-store.ts';
import { startRedisServer } from '../test/redis-server.ts';
import { eachOption } from './command-line.ts';
import { percentile, round } from './latency-stats.ts';

const TARGET_P95_MS = 20;
const PAGE = 50;
const QUERIES_PER_KIND = 60;

const options = { records: 10_000, stores: ['sqlite', 'redis'] };
eachOption(process.argv.slice(2), (arg, value) => {
  if (arg === '--records') options.records = Number(value());
  else if (arg === '--store') options.stores = value().split(',');
  else throw new Error(`unknown option ${arg} (options: --records <n>, --store sqlite,redis)`);
});

const LEARNERS = 400;
const SCENARIOS = Array.from({ length: 16 }, (_, i) => ({
  id: `scenario-${i}`,
  title: `Scenario ${i}`,
  problemType: ['product', 'delivery', 'billing', 'service'][i % 4]!,
}));
const STATUSES: ReviewStatus[] = ['unreviewed', 'unreviewed', 'unreviewed', 'meets-standard', 'needs-another-attempt'];
const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

/**
 * A record of `learnerTurns` exchanges with a report of realistic size (seven dimensions, evidence
 * quoted): a quarter very low (all at 0), a quarter very high (all at 3), one in ten with a breach.
 */
function recordOf(i: number, learnerTurns = 10): EvidenceRecord {
  const turns = Array.from({ length: learnerTurns * 2 + 1 }, (_, t) => ({
    role: t % 2 === 0 ? ('customer' as const) : ('learner' as const),
    text:
      t % 2 === 0
        ? 'I bought this kettle three weeks ago and it has stopped working. I want my money back, not another one.'
        : "I'm sorry to hear that. Could you tell me when it stopped working, and do you have the receipt with you?",
    ...(t % 2 === 0 ? { mood: 2 } : {}),
  }));
  const dimensions = Object.fromEntries(
    ['listening', 'questioning', 'calming', 'negotiation', 'authority', 'unresolved', 'informing'].map((d) => [
      d,
      {
        level: i % 4,
        max: 3,
        evidence: [{ turn: 1, quote: 'Could you tell me when it stopped working', reason: 'an open question about the problem' }],
        suggestion: 'Summarise what the customer has told you before offering options.',
      },
    ]),
  );
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: `record-${String(i).padStart(6, '0')}`,
    learner: { id: `tenant/learner-${i % LEARNERS}`, name: `Learner ${i % LEARNERS}` },
    scenario: SCENARIOS[i % SCENARIOS.length]!,
    mode: i % 3 === 0 ? 'assessment' : 'practice',
    startedAt: new Date(START + i * (DAY / 30) - 600_000).toISOString(),
    endedAt: new Date(START + i * (DAY / 30)).toISOString(),
    endReason: 'agreed',
    turns,
    report: {
      scenario: SCENARIOS[i % SCENARIOS.length]!.id,
      dimensions,
      turns: [],
      breaches:
        i % 10 === 0
          ? [{ turn: 3, quote: "I'll refund you and add £100.", action: 'refund', rule: 'Refunds over £50 need a supervisor.' }]
          : [],
      commitments: [],
    },
    customer: { kind: 'scripted', id: 'scripted-customer', version: '1' },
    scorer: { kind: 'rules', id: 'rules-scorer', version: '1' },
  } as EvidenceRecord;
}

/** The filters a tutor's inbox uses, each with varying values so no answer is cached. */
const QUERY_KINDS: Record<string, (n: number) => EvidenceQuery> = {
  'newest, no filter': (n) => ({ limit: PAGE, offset: (n % 5) * PAGE }),
  'one learner': (n) => ({ learnerIds: [`tenant/learner-${(n * 7) % LEARNERS}`], limit: PAGE }),
  'a cohort of 25, unreviewed': (n) => ({
    learnerIds: Array.from({ length: 25 }, (_, k) => `tenant/learner-${(n * 25 + k) % LEARNERS}`),
    reviewStatus: 'unreviewed',
    limit: PAGE,
  }),
  'scenario and mode': (n) => ({ scenarioId: SCENARIOS[n % SCENARIOS.length]!.id, mode: 'assessment', limit: PAGE }),
  'problem type, needs another attempt': (n) => ({
    problemType: SCENARIOS[n % 4]!.problemType,
    reviewStatus: 'needs-another-attempt',
    limit: PAGE,
  }),
  'very low, page 2': (n) => ({ flags: ['very-low'], offset: PAGE, limit: PAGE, ...(n % 2 ? { mode: 'practice' as const } : {}) }),
  'a cohort of 25, authority breach': (n) => ({
    learnerIds: Array.from({ length: 25 }, (_, k) => `tenant/learner-${(n * 25 + k) % LEARNERS}`),
    flags: ['authority-breach'],
    limit: PAGE,
  }),
  'after a position (keyset page)': (n) => ({ after: positionOf(recordOf((n * 997) % options.records)), limit: PAGE }),
  'after a position, scenario, unreviewed': (n) => ({
    scenarioId: SCENARIOS[n % SCENARIOS.length]!.id,
    reviewStatus: 'unreviewed',
    after: positionOf(recordOf(options.records - 1 - ((n * 997) % options.records))),
    limit: PAGE,
  }),
  'a month, page 3': (n) => ({
    endedFrom: new Date(START + (n % 10) * 30 * DAY).toISOString(),
    endedBefore: new Date(START + ((n % 10) + 1) * 30 * DAY).toISOString(),
    offset: 2 * PAGE,
    limit: PAGE,
  }),
};

async function fill(stores: OpenStores): Promise<void> {
  const batch = 200;
  for (let i = 0; i < options.records; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, options.records - i) }, (_, k) => stores.evidence.save(recordOf(i + k))));
  }
  for (let i = 0; i < options.records; i += 7) await stores.evidence.setReviewStatus(recordOf(i).id, STATUSES[i % STATUSES.length]!);
}

async function measure(name: string, stores: OpenStores): Promise<boolean> {
  const filled = performance.now();
  await fill(stores);
  process.stdout.write(
    `${name}: ${options.records.toLocaleString('en-GB')} records stored in ${round((performance.now() - filled) / 1000, 1)} s\n`,
  );
  let allMet = true;
  for (const [kind, query] of Object.entries(QUERY_KINDS)) {
    for (let n = 0; n < 5; n++) await stores.evidence.list(query(n));
    const times: number[] = [];
    let total = 0;
    for (let n = 0; n < QUERIES_PER_KIND; n++) {
      const started = performance.now();
      const page = await stores.evidence.list(query(n));
      times.push(performance.now() - started);
      total += page.total;
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 95);
    allMet &&= p95 < TARGET_P95_MS;
    process.stdout.write(
      `  filtered page of ${PAGE}, ${kind.padEnd(36)} p50 ${round(percentile(times, 50)).toFixed(2).padStart(6)} ms  p95 ${round(p95).toFixed(2).padStart(6)} ms  (≈${Math.round(total / QUERIES_PER_KIND)} match)${p95 < TARGET_P95_MS ? '' : `  MISSES p95 < ${TARGET_P95_MS} ms`}\n`,
    );
  }
  const writes: number[] = [];
  const reads: number[] = [];
  for (let n = 0; n < 100; n++) {
    const record = { ...recordOf(options.records + n, 30), id: `thirty-turns-${n}` };
    let started = performance.now();
    await stores.evidence.save(record);
    writes.push(performance.now() - started);
    started = performance.now();
    await stores.evidence.get(record.id);
    reads.push(performance.now() - started);
  }
  writes.sort((a, b) => a - b);
  reads.sort((a, b) => a - b);
  process.stdout.write(
    `  one 30-turn record: write p50 ${round(percentile(writes, 50))} ms, p95 ${round(percentile(writes, 95))} ms; read p50 ${round(percentile(reads, 50))} ms, p95 ${round(percentile(reads, 95))} ms\n`,
  );
  return allMet;
}

const quiet = pino({ level: 'silent' });
let met = true;
for (const store of options.stores) {
  if (store === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'servicesim-bench-'));
    const stores = await openStores({ DATA_DIR: dir, REDIS_URL: '', REDIS_CLUSTER: 'false' }, quiet);
    try {
      met = (await measure('SQLite', stores)) && met;
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (store === 'redis') {
    const redis = await startRedisServer();
    const stores = await openStores({ DATA_DIR: '', REDIS_URL: redis.url, REDIS_CLUSTER: 'false' }, quiet);
    try {
      met = (await measure('Redis', stores)) && met;
    } finally {
      await stores.close();
      await redis.stop();
    }
  } else throw new Error(`--store takes sqlite and redis, not "${store}"`);
}
process.stdout.write(
  met ? `Every filtered page within p95 < ${TARGET_P95_MS} ms.\n` : `Some filtered pages missed p95 < ${TARGET_P95_MS} ms.\n`,
);
