/**
 * Rehearsals and reviews reach the learning record store as they are saved: the evidence and review
 * stores, wrapped by LrsForwarding, queue their statements in the xAPI outbox, which delivers them
 * to a local stand-in LRS, and keeps them while it is down. The learner's save never waits on it.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TutorReview } from '../engine/tutor-review.ts';
import { LrsForwarding } from '../store/lrs-forwarding.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { XapiOutbox } from '../store/xapi-outbox.ts';
import { startLrsStandIn, type LrsStandIn } from './lrs-stand-in.ts';
import { evidenceRecord } from './store-conformance.ts';

const CREDENTIALS = { username: 'servicesim', password: 'a long lrs secret' };
let lrs: LrsStandIn;
/** The outbox's clock: a test moves it past a retry's delay. */
let clock = Date.now();

beforeEach(async () => {
  lrs = await startLrsStandIn(CREDENTIALS);
});
afterEach(async () => {
  await lrs?.close();
});

function forwarded() {
  const state = new MemoryKeyValueStore();
  const outbox = new XapiOutbox({
    store: state,
    lrs: { endpoint: lrs.endpoint, ...CREDENTIALS },
    logger: pino({ level: 'silent' }),
    retryDelaysMs: [1000],
    now: () => clock,
  });
  const forwarding = new LrsForwarding({
    outbox,
    logger: pino({ level: 'silent' }),
    optionsFor: async () => ({ homePage: 'https://servicesim.example.ac.uk', cohorts: [{ id: 'c1', name: 'CS17 Tuesday' }] }),
  });
  const evidence = forwarding.evidence(new MemoryEvidenceStore());
  const reviews = forwarding.reviews(new KeyValueReviewStore(state), evidence);
  return { outbox, evidence, reviews };
}

const review: TutorReview = {
  id: 'review-1',
  recordId: 'r1',
  reviewer: { id: 'ann@example.org', name: 'Ann Tutor' },
  at: '2026-11-24T09:00:00Z',
  dimensions: {},
  comments: [],
  feedback: 'Well done.',
  verdict: 'meets-standard',
};

const stored = () => [...lrs.statements.values()];
const verbs = () => stored().map((s) => (s as { verb: { id: string } }).verb.id.split('/').at(-1));

describe('forwarding to the learning record store', () => {
  it('sends a saved rehearsal (attempted, completed) and then its signed review, each kept once', async () => {
    const { outbox, evidence, reviews } = forwarded();
    await evidence.save(evidenceRecord());
    expect(await outbox.sendDue()).toBe(2);
    expect(verbs()).toEqual(['attempted', 'completed']);
    // The reflection added later saves the record again: the same statements, kept once.
    await evidence.save({ ...evidenceRecord(), reflection: 'I should have asked sooner.' });
    await outbox.sendDue();
    expect(lrs.statements.size).toBe(2);
    expect(await reviews.append(review)).toBe(true);
    // The same review sent again (a retried sign-off) is queued again, and the LRS keeps it once.
    expect(await reviews.append(review)).toBe(false);
    expect(await outbox.sendDue()).toBe(1);
    expect(verbs()).toEqual(['attempted', 'completed', 'reviewed']);
    const completed = stored()[1] as { id: string; context: { contextActivities: { grouping: Array<{ id: string }> } } };
    expect(completed.context.contextActivities.grouping[0]!.id).toBe('https://servicesim.example.ac.uk/cohorts/c1');
    expect((stored()[2] as { object: unknown }).object).toEqual({ objectType: 'StatementRef', id: completed.id });
  });

  it('keeps the learner saving while the LRS is down, and delivers when it is back', async () => {
    const { outbox, evidence } = forwarded();
    lrs.behave({ kind: 'down' });
    await evidence.save(evidenceRecord());
    expect(await evidence.get('r1')).toBeDefined();
    expect(await outbox.sendDue()).toBe(0);
    expect(await outbox.pending()).toBe(2);
    lrs.behave({ kind: 'working' });
    clock += 1000;
    expect(await outbox.sendDue()).toBe(2);
    expect(await outbox.pending()).toBe(0);
  });
});
