/**
 * A learner's qualification portfolio (engine/portfolio.ts) built from records and reviews against
 * the shipped rubric: every criterion of the unit in order, the rehearsals that evidence each at the
 * level after review, the tutor's confirmation, and the criteria no dimension cites marked as
 * assessed outside ServiceSim.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { portfolioOf } from '../engine/portfolio.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { evidenceRecord, reportWithLevels } from './store-conformance.ts';

const library = await loadLibrary();
const f5 = library.units.find((u) => u.id === 'F5')!;

/** A record scored on these dimensions (null: no occasion). */
function scored(id: string, endedAt: string, levels: Record<string, number | null>, learner = { id: 'tenant/learner-1', name: 'Sam' }) {
  const report = reportWithLevels(levels);
  return evidenceRecord({ id, learner, endedAt, scenario: { id: 'faulty-washing-machine', title: 'Faulty washing machine' }, report });
}

function review(record: EvidenceRecord, dimensions: TutorReview['dimensions'] = {}): TutorReview {
  return {
    id: `review-${record.id}`,
    recordId: record.id,
    reviewer: { id: 'tutor-1', name: 'Priya Shah' },
    at: '2026-11-25T09:00:00.000Z',
    dimensions,
    comments: [],
    feedback: 'Well done.',
    verdict: 'meets-standard',
  };
}

// Reviewed: the tutor raised questioning from 1 to 2 and agreed with the rest.
const reviewed = scored('rec-a', '2026-11-24T10:00:00.000Z', { listening: 3, questioning: 1, defusing: 3, informing: 1, authority: 2 });
// Unreviewed, and earlier: listening had no occasion.
const earlier = scored('rec-b', '2026-11-20T10:00:00.000Z', { listening: null, negotiation: 1 });
const reviews = new Map([[reviewed.id, review(reviewed, { questioning: { level: 2, reason: 'Two open questions.' } })]]);
const portfolio = portfolioOf(f5, [reviewed, earlier], reviews, library);
const criterion = (code: string) => portfolio.criteria.find((c) => c.code === code)!;

describe('portfolioOf', () => {
  it('lists every criterion of the unit, in the unit’s order, with the unit’s facts', () => {
    expect(portfolio.criteria.map((c) => c.code)).toEqual(f5.criteria.map((c) => c.code));
    expect(portfolio.criteria.map((c) => c.text)).toEqual(f5.criteria.map((c) => c.text));
    expect(portfolio.unit).toEqual({ id: 'F5', title: f5.title, awardingBody: f5.awardingBody, level: f5.level });
    expect(portfolio.learner).toEqual({ id: 'tenant/learner-1', name: 'Sam' });
  });

  it('gives a criterion the level after review, and says the tutor agreed with it or set it', () => {
    // F5 1.1 is cited by listening alone: 3, agreed by signing.
    expect(criterion('1.1')).toMatchObject({ status: 'evidenced', bestLevel: 3, confirmed: true, citedBy: ['listening'] });
    expect(criterion('1.1').rehearsals).toEqual([
      {
        recordId: 'rec-a',
        scenario: { id: 'faulty-washing-machine', title: 'Faulty washing machine' },
        mode: 'practice',
        endedAt: '2026-11-24T10:00:00.000Z',
        level: 3,
        confirmed: true,
        dimensions: [{ id: 'listening', name: 'Listening and understanding', level: 3, scorer: 3, confirmation: 'agreed' }],
      },
    ]);
    // F5 1.2 (questioning): the scorer's 1 would be "partly"; the tutor's 2 makes it evidenced.
    expect(criterion('1.2')).toMatchObject({ status: 'evidenced', bestLevel: 2 });
    expect(criterion('1.2').rehearsals[0]!.dimensions).toEqual([
      { id: 'questioning', name: 'Questioning and checking understanding', level: 2, scorer: 1, confirmation: 'set' },
    ]);
  });

  it('takes the lowest of the citing dimensions in a rehearsal, and leaves out one with no occasion', () => {
    // K9 is cited by defusing (3) and informing (1): shown only as far as its weaker part.
    expect(criterion('K9')).toMatchObject({ status: 'partly', bestLevel: 1 });
    expect(criterion('K9').rehearsals[0]!.dimensions.map((d) => [d.id, d.level])).toEqual([
      ['defusing', 3],
      ['informing', 1],
    ]);
    // K2 is cited by authority and unresolved; unresolved was not scored, so authority's 2 stands.
    expect(criterion('K2')).toMatchObject({ status: 'evidenced', bestLevel: 2 });
    // rec-b had no occasion for listening, so it does not evidence 1.1.
    expect(criterion('1.1').rehearsals.map((r) => r.recordId)).toEqual(['rec-a']);
  });

  it('marks an unreviewed rehearsal unconfirmed, and a criterion touched only at 0–1 as partly evidenced', () => {
    // F5 2.1 is cited by negotiation only: rec-b, level 1, not reviewed.
    expect(criterion('2.1')).toMatchObject({ status: 'partly', bestLevel: 1, confirmed: false });
    expect(criterion('2.1').rehearsals[0]).toMatchObject({ recordId: 'rec-b', confirmed: false });
    expect(criterion('2.1').rehearsals[0]!.dimensions[0]!.confirmation).toBe('unconfirmed');
  });

  it('marks a criterion no dimension cites as having no evidence, assessed outside ServiceSim', () => {
    // K8 is a knowledge criterion that no dimension in rubrics/dimensions.yaml cites.
    expect(criterion('K8')).toMatchObject({ status: 'none', assessedOutside: true, citedBy: [], rehearsals: [], bestLevel: null });
    // 3.6 is cited (by unresolved) but no rehearsal was scored on it: no evidence, yet not outside.
    expect(criterion('3.6')).toMatchObject({ status: 'none', assessedOutside: false, citedBy: ['unresolved'] });
  });

  it('counts the statuses, and lists the evidencing rehearsals oldest first with their sign-offs', () => {
    const statuses = portfolio.criteria.map((c) => c.status);
    expect(portfolio.summary).toMatchObject({
      criteria: f5.criteria.length,
      evidenced: statuses.filter((s) => s === 'evidenced').length,
      partly: statuses.filter((s) => s === 'partly').length,
      none: statuses.filter((s) => s === 'none').length,
      rehearsals: 2,
    });
    expect(portfolio.summary.evidenced).toBeGreaterThanOrEqual(3);
    expect(portfolio.summary.partly).toBeGreaterThanOrEqual(2);
    expect(portfolio.summary.assessedOutside).toBeGreaterThanOrEqual(1);
    expect(portfolio.summary.assessedOutside).toBeLessThanOrEqual(portfolio.summary.none);
    // Every evidenced criterion here rests on rec-a, which a tutor signed.
    expect(portfolio.summary.confirmed).toBe(portfolio.summary.evidenced);
    expect(portfolio.rehearsals.map((r) => r.record.id)).toEqual(['rec-b', 'rec-a']);
    expect(portfolio.rehearsals[1]!.levels.find((l) => l.id === 'questioning')).toMatchObject({ level: 2, scorer: 1, tutorSet: true });
    expect(portfolio.signOffs).toEqual([
      {
        recordId: 'rec-a',
        scenario: { id: 'faulty-washing-machine', title: 'Faulty washing machine' },
        reviewer: { id: 'tutor-1', name: 'Priya Shah' },
        at: '2026-11-25T09:00:00.000Z',
        verdict: 'meets-standard',
      },
    ]);
  });

  it('leaves out a rehearsal that evidences no criterion of the unit', () => {
    const other = scored('rec-c', '2026-11-26T10:00:00.000Z', { 'retired-dimension': 3 });
    const p = portfolioOf(f5, [reviewed, other], reviews, library);
    expect(p.rehearsals.map((r) => r.record.id)).toEqual(['rec-a']);
    expect(p.summary.rehearsals).toBe(1);
  });

  it('shows nothing evidenced for a learner with no rehearsals', () => {
    const p = portfolioOf(f5, [], new Map(), library);
    expect(p.criteria.every((c) => c.status === 'none')).toBe(true);
    expect(p.summary).toMatchObject({ evidenced: 0, partly: 0, none: f5.criteria.length, rehearsals: 0 });
    expect(p.learner).toBeUndefined();
  });

  it('refuses records of more than one learner', () => {
    const someoneElse = scored('rec-d', '2026-11-26T10:00:00.000Z', { listening: 2 }, { id: 'tenant/learner-2', name: 'Jo' });
    expect(() => portfolioOf(f5, [reviewed, someoneElse], reviews, library)).toThrow(/one learner's.*2 learners/);
  });
});
