/**
 * The debrief a learner can act on: a one-line summary and the one thing to work on first, with a
 * model line from this scenario's own situation; what each level means; criteria only where the
 * level evidences them; no level where there was no occasion; what the learner could not see; and
 * commitments read as sentences.
 */
import { describe, expect, it } from 'vitest';
import { debriefView } from '../engine/debrief-view.ts';
import { modelLine } from '../engine/model-lines.ts';
import { scoreTranscript } from '../engine/rules-scorer.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { noFindings, type ScoreReport } from '../engine/score-report.ts';
import { debriefCard } from '../dialogs/cards/debrief-card.ts';
import { attemptProgress } from '../dialogs/cards/history-card.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { kettle } from './scenario-fixture.ts';

const shipped = await loadLibrary();

function report(levels: Record<string, number | null>, extra: Partial<ScoreReport> = {}): ScoreReport {
  return {
    scenario: kettle.id,
    dimensions: Object.fromEntries(
      Object.entries(levels).map(([id, level]) => [
        id,
        {
          level,
          max: 3 as const,
          evidence: level === null ? [] : [{ turn: 2, quote: 'What happens when you switch it on?', reason: 'open question' }],
          suggestion: 'Keep going.',
        },
      ]),
    ),
    breaches: [],
    commitments: [],
    turns: [],
    ...extra,
  };
}

const turns = [
  { role: 'customer' as const, text: kettle.customer.opening },
  { role: 'learner' as const, text: 'What happens when you switch it on?' },
  { role: 'customer' as const, text: 'The light comes on but it never heats the water.' },
  { role: 'learner' as const, text: "I'll ring you by 4pm today." },
];

const view = (levels: Record<string, number | null>, extra: Partial<ScoreReport> = {}) =>
  debriefView({
    title: kettle.title,
    report: report(levels, extra),
    dimensions: shipped.dimensions,
    order: kettle.dimensions,
    turns,
    scenario: kettle,
  });

describe('the debrief view', () => {
  it('opens with a summary and the weakest dimension with an occasion, with a model line from this scenario', () => {
    const v = view({ listening: 3, questioning: 2, negotiation: 1, authority: null });
    expect(v.headline).toBe('Strongest: listening (3/3).');
    expect(v.focus).toMatchObject({ id: 'negotiation', nextStep: expect.stringMatching(/^Competent: /) });
    // The kettle's own options, pros and cons: never another scenario's.
    expect(v.focus!.modelLine).toContain('refund the £25 to the card used');
    expect(v.focus!.modelLine).toContain('though still has no kettle');
    expect(v.focus!.modelLine).not.toMatch(/washing machine|launderette/i);
  });

  it('takes the first in the scenario’s order on a tie, and names no focus when all are at the top', () => {
    expect(view({ listening: 1, questioning: 1, negotiation: 2, authority: 3 }).focus?.id).toBe('listening');
    const top = view({ listening: 3, questioning: 3, negotiation: 3, authority: 3 });
    expect(top.focus).toBeUndefined();
    expect(top.headline).toMatch(/Every dimension at the top level/);
  });

  it('says where there was no occasion instead of a level, and names criteria only where the level evidences them', () => {
    const v = view({ listening: 0, questioning: 2, negotiation: 1, authority: null });
    const by = (id: string) => v.dimensions.find((d) => d.id === id)!;
    expect(by('authority')).toMatchObject({ levelText: 'no occasion', noOccasion: expect.stringMatching(/no occasion/), criteria: [] });
    expect(by('listening').criteria).toEqual([]);
    expect(by('negotiation').criteria).toEqual([]);
    expect(by('questioning').criteria).toContain('CS17 1.2');
    expect(by('listening').descriptor).toMatch(/^Replies ignore or contradict/);
  });

  it('says what a level means in a line: the descriptor’s first clauses, its examples in brackets left out', () => {
    const v = debriefView({ title: kettle.title, report: report({ defusing: 0, informing: 1 }), dimensions: shipped.dimensions });
    expect(v.dimensions.map((d) => d.descriptor)).toEqual([
      'Any of: blames the customer, a colleague or another department; argues with the customer or tells them their feelings are wrong.',
      'Gives some updates but only when the customer asks, or promises are vague.',
    ]);
  });

  it('shows what the learner could not see: the cause, the facts uncovered and missed, what was wanted and offered', () => {
    const { hidden } = view({ listening: 2 });
    expect(hidden).toMatchObject({
      cause: 'The heating element has failed.',
      uncovered: ['The element no longer heats; the light comes on.'],
      missed: ['Bought ten days ago with a receipt.'],
      wanted: 'A working kettle today.',
    });
    expect(hidden!.couldOffer).toContain('Swap it for the same model from stock.');
    expect(hidden!.couldOffer).toContain("With Duty manager's approval: goodwill payment");
  });

  it('counts a fact the customer told unasked as uncovered', () => {
    // The learner asks nothing; the customer tells one fact.
    const uncoveredWhenTold = (told: string) =>
      debriefView({
        title: kettle.title,
        report: report({ listening: 2 }),
        dimensions: shipped.dimensions,
        turns: [
          { role: 'customer', text: kettle.customer.opening },
          { role: 'learner', text: 'Right, I see.' },
          { role: 'customer', text: told },
        ],
        scenario: kettle,
      }).hidden!.uncovered;
    expect(uncoveredWhenTold("I bought it ten days ago, here's the receipt.")).toEqual(['Bought ten days ago with a receipt.']);
    // In other words than the scenario's (a model playing the customer), read for the facts told.
    expect(uncoveredWhenTold('The little light comes on, but it never actually heats the water up.')).toEqual([
      'The element no longer heats; the light comes on.',
    ]);
  });

  it("takes the strongest reply from a model judge's evidence when its levels stand, from the rules' per-reply levels otherwise", () => {
    const judgement = { mode: 'hybrid' as const, model: 'a-model', prompt: 'judge@1', ...noFindings() };
    const judged = report(
      { listening: 1, questioning: 2 },
      {
        // The rules liked turn 2; the judge levelled questioning 2 on turn 4's question.
        turns: [
          { turn: 2, levels: { listening: 3, questioning: 2 } },
          { turn: 4, levels: { listening: 1, questioning: 1 } },
        ],
      },
    );
    judged.dimensions.questioning!.evidence = [{ turn: 4, quote: 'When did it first leak?', reason: 'open question' }];
    const turns = [
      { role: 'customer' as const, text: 'It leaks.' },
      { role: 'learner' as const, text: 'Oh dear, a leak.' },
      { role: 'customer' as const, text: 'Yes.' },
      { role: 'learner' as const, text: 'When did it first leak?' },
    ];
    const view = (r: ScoreReport) => debriefView({ title: kettle.title, report: r, dimensions: shipped.dimensions, turns });
    expect(view({ ...judged, judgement }).strongest).toEqual({ turn: 4, quote: 'When did it first leak?', levels: ['questioning 2'] });
    expect(view(judged).strongest).toMatchObject({ turn: 2, levels: ['listening 3', 'questioning 2'] });
    // A judge that fell back to the rules leaves the rules' levels, and their standouts, standing.
    const fellBack = { ...judgement, fallback: { reason: 'timeout' } } as unknown as ScoreReport['judgement'];
    expect(view({ ...judged, judgement: fellBack }).strongest).toMatchObject({ turn: 2 });
  });

  it('reads commitments as sentences, the time said once', () => {
    const v = view(
      { listening: 2 },
      {
        commitments: [
          { turn: 4, quote: "I'll ring you by 4pm today.", who: 'the learner', what: "I'll ring you by 4pm today.", when: 'by 4pm today' },
        ],
      },
    );
    expect(v.commitments[0]!.sentence).toBe('Turn 4, you promised: "I\'ll ring you by 4pm today." (when: by 4pm today).');
    expect(v.commitments[0]!.sentence).not.toMatch(/by by/);
  });
});

describe('model lines', () => {
  it('puts only workable options, remedies before next steps, and next steps where they are all there is', () => {
    const [refund, replace] = kettle.options;
    const unworkableFirst = { ...kettle, options: [{ ...refund!, workable: false }, replace!] };
    expect(modelLine('negotiation', unworkableFirst)).toBe(
      'What I can do is swap it for the same model from stock: a working kettle today, though same model could fail again. Would that work for you?',
    );
    const reviewOnly = {
      ...kettle,
      options: [
        { ...refund!, action: 'investigation' as const, description: 'Reopen the case for review.' },
        { ...replace!, workable: false },
      ],
    };
    expect(modelLine('negotiation', reviewOnly)).toMatch(/^What I can do is reopen the case for review:/);
    expect(modelLine('negotiation', { ...kettle, options: [replace!, { ...refund!, action: 'investigation' as const }] })).toMatch(
      /^What I can do is swap it/,
    );
  });

  it('gives every shipped scenario a line for each dimension it assesses, in its own terms', () => {
    for (const scenario of shipped.scenarios) {
      for (const dimension of scenario.dimensions) {
        const line = modelLine(dimension, scenario);
        expect(line, `${scenario.id} ${dimension}`).toMatch(/^[A-Z"'].{20,}[.?]$/);
      }
      const negotiation = modelLine('negotiation', scenario);
      const workable = scenario.options.filter((o) => o.workable);
      if (workable.length > 0) expect(negotiation, scenario.id).toMatch(/suit you better|work for you/);
      if (scenario.repeatedProblem) expect(modelLine('reporting', scenario), scenario.id).toMatch(/not the first/);
    }
  });
});

describe('suggestions', () => {
  it('never give advice from another scenario: a car-service debrief quotes no washing machine', () => {
    const carService = shipped.scenarios.find((s) => s.id === 'car-service-not-done')!;
    const weak = scoreTranscript(carService, [
      { role: 'customer', text: carService.customer.opening },
      { role: 'learner', text: 'OK. What do you want me to do about it?' },
      { role: 'customer', text: 'I want my car back.' },
      { role: 'learner', text: 'Someone will get back to you.' },
    ]);
    const suggestions = Object.values(weak.dimensions).map((d) => d.suggestion);
    expect(suggestions.join(' ')).not.toMatch(/washing|machine|launderette|kitchen|leak|kettle|engineer's slot|non-refundable/i);
    // The examples come from this scenario instead.
    expect(weak.dimensions.negotiation!.suggestion).toContain('courtesy car');
  });
});

describe('the debrief card', () => {
  const card = debriefCard(view({ listening: 3, questioning: 2, negotiation: 1, authority: null }));
  const json = JSON.stringify(card);
  const ids = [...json.matchAll(/"id":"([^"]+)"/g)].map((m) => m[1]);
  const targets = [...json.matchAll(/"targetElements":\["([^"]+)"\]/g)].map((m) => m[1]);

  it('carries the summary and the first action before any dimension', () => {
    const body = card.body as Array<Record<string, unknown>>;
    expect(body[2]).toMatchObject({ id: 'summary' });
    expect(JSON.stringify(body[2])).toContain('Work on first: Options, negotiation and agreement');
    expect(JSON.stringify(body[2])).toContain('You could say:');
  });

  it('collapses each dimension’s evidence and criteria behind a toggle that targets an element the card holds', () => {
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const target of targets) expect(ids).toContain(target);
    expect(json).toContain('"type":"Action.ToggleVisibility"');
    // Criteria only where the level evidences them, never "Evidences" beside a level-1 or no-occasion dimension.
    expect(json).toContain('Evidences CS17');
    expect(json.match(/Evidences/g)).toHaveLength(2);
    expect(json).toContain('no occasion to show working within authority');
  });
});

describe('progress over repeated attempts', () => {
  const attempt = (id: string, scenarioId: string, levels: Record<string, number | null>) =>
    ({ id, scenario: { id: scenarioId, title: scenarioId }, report: report(levels) }) as unknown as EvidenceRecord;
  const first = attempt('a', 'kettle-refund', { listening: 1, questioning: 0, authority: null });
  const other = attempt('b', 'gym', { listening: 3 });
  const second = attempt('c', 'kettle-refund', { listening: 2, questioning: 2, authority: 3 });
  const third = attempt('d', 'kettle-refund', { listening: 2, questioning: 1, authority: 3 });
  const newestFirst = [third, second, other, first];

  it('compares an attempt with the one before it, on the dimensions both levelled', () => {
    expect(attemptProgress(first, newestFirst)).toBeUndefined();
    expect(attemptProgress(other, newestFirst)).toBeUndefined();
    expect(attemptProgress(second, newestFirst)).toBe('Attempt 2 of this scenario: up 3 levels on the last.');
    expect(attemptProgress(third, newestFirst)).toBe('Attempt 3 of this scenario: down 1 level on the last.');
  });
});
