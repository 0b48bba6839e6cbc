/**
 * The seams of a rehearsal: customer and scorer behind interfaces with versioned JSON state, a turn
 * whose stored state does not grow, rehearsals stored before versioning carried on, evidence that
 * records what produced it, dimensions no judge can score refused, and one view of a score.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncompatibleStateError } from '../engine/component-identity.ts';
import { debriefView } from '../engine/debrief-view.ts';
import { assembleEvidence, EvidenceRecordSchema } from '../engine/evidence-record.ts';
import { createMockCustomer } from '../engine/mock-customer.ts';
import { createMockScorer } from '../engine/mock-scorer.ts';
import { Rehearsal } from '../engine/rehearsal.ts';
import { isUnversionedRehearsal, upgradeRehearsal } from '../engine/rehearsal-upgrade.ts';
import { loadLibrary, sourceHashesOf } from '../engine/rubric-library.ts';
import { createRulesScorer, RULES_SCORER_IDENTITY } from '../engine/rules-scorer.ts';
import { SCRIPTED_CUSTOMER_IDENTITY } from '../engine/scripted-customer.ts';
import { FIXTURES } from './broken-file.ts';
import { play, scriptedParts } from './play-rehearsal.ts';
import { kettle } from './scenario-fixture.ts';

const shipped = await loadLibrary();
const washingMachine = shipped.scenarios.find((s) => s.id === 'faulty-washing-machine')!;

describe('the customer and scorer seams', () => {
  it("keeps each part's state as JSON tagged with its kind and version", async () => {
    const r = await play(kettle);
    await r.say('What happens when you switch it on?');
    const { customer, scorer, version } = r.rehearsal.snapshot;
    expect(version).toBe(2);
    expect(customer).toMatchObject({ kind: 'scripted', version: 1, revealed: ['fault'] });
    expect(scorer).toEqual({ kind: 'rules', version: 1 });
    expect(JSON.parse(JSON.stringify(r.rehearsal.snapshot))).toEqual(r.rehearsal.snapshot);
  });

  it('refuses to carry on from state another kind of customer wrote, changing nothing', async () => {
    const mock = await Rehearsal.start(kettle, { customer: createMockCustomer(), scorer: createRulesScorer() });
    const stored = mock.snapshot;
    const scripted = Rehearsal.restore(kettle, scriptedParts(), stored);
    await expect(scripted.learnerSays('Hello.')).rejects.toThrow(IncompatibleStateError);
    expect(scripted.snapshot).toEqual(stored);
    expect(() => Rehearsal.restore(kettle, scriptedParts(), { version: 99 })).toThrow(IncompatibleStateError);
  });

  it('stores the same amount of state at turn 60 as at turn 4: a turn does not re-read the ones before it', async () => {
    const scorer = createMockScorer();
    const r = await play(washingMachine, 'size', { customer: scriptedParts().customer, scorer });
    const sizes: number[] = [];
    for (let i = 0; i < 60; i++) {
      await r.say(i % 2 === 0 ? "I'm sorry, that sounds really stressful." : 'Can you tell me a bit more about the leak?');
      sizes.push(JSON.stringify(r.rehearsal.snapshot).length);
    }
    expect(r.ended).toBe(false);
    expect(sizes[59]!).toBeLessThan(sizes[3]! * 1.5);
    // Each turn reaches the scorer once, alone.
    expect(scorer.calls).toHaveLength(60);
    expect(scorer.calls.every((c) => c.method === 'scoreTurn')).toBe(true);
  });

  it('ends at the length limit with its own reason', async () => {
    const r = await play(kettle, 'limit', { customer: createMockCustomer(), scorer: createMockScorer() });
    for (let turn = 0; turn < 199 && !r.ended; turn++) await r.say('Okay.');
    expect(r.ended).toBe(true);
    expect(r.endReason).toBe('length-limit');
    expect(r.turns).toHaveLength(399);
  });

  it('carries on a rehearsal stored before state was versioned, from its transcript', async () => {
    const legacy = JSON.parse(await readFile(path.join(FIXTURES, 'rehearsal-state-v1.json'), 'utf8'));
    expect(isUnversionedRehearsal(legacy)).toBe(true);
    const parts = scriptedParts();
    const { rehearsal, exchanges } = await upgradeRehearsal(washingMachine, parts, legacy);
    expect(exchanges.map((e) => e.learner)).toEqual(
      legacy.turns.filter((t: { role: string }) => t.role === 'learner').map((t: { text: string }) => t.text),
    );
    expect(exchanges[1]!.feedback.breaches.map((b) => b.action)).toEqual(['guarantee']);
    expect(rehearsal.turnCount).toBe(legacy.turns.length);
    const next = await rehearsal.learnerSays('Is there anything else I can help with today?');
    expect(next.turn).toBe(legacy.turns.length + 1);
    expect(next.customer.length).toBeGreaterThan(0);
  });
});

describe('evidence that lasts', () => {
  it('records the customer, the scorer and content hashes of the files it was played with', async () => {
    const r = await play(washingMachine);
    await r.say("I'm so sorry. When did it start leaking?");
    const report = await r.score();
    const sources = sourceHashesOf(shipped, washingMachine.id)!;
    const record = assembleEvidence({
      id: 'r1',
      learner: { id: 'test/learner' },
      scenario: { id: washingMachine.id, title: washingMachine.title },
      mode: 'practice',
      startedAt: '2026-11-29T10:00:00.000Z',
      endedAt: '2026-11-29T10:05:00.000Z',
      endReason: 'learner-ended',
      opening: r.rehearsal.opening,
      exchanges: r.exchanges,
      report,
      customer: SCRIPTED_CUSTOMER_IDENTITY,
      scorer: RULES_SCORER_IDENTITY,
      sources,
    });
    expect(EvidenceRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
    const file = await readFile(path.join('rubrics', 'scenarios', `${washingMachine.id}.yaml`));
    expect(record.sources!.scenario).toBe(createHash('sha256').update(file).digest('hex'));
    expect(record.turns[2]).toMatchObject({ role: 'customer', mood: r.exchanges[0]!.mood });
    // A change to the rubric shows in the hash.
    const other = await loadLibrary([path.join(FIXTURES, 'kettle-refund.yaml')]);
    expect(sourceHashesOf(other, 'kettle-refund')!.rubric).toBe(sources.rubric);
  });
});

describe('dimensions no judge can score', () => {
  it('are problems in the rubric and in each scenario that names them', async () => {
    const rules = createRulesScorer();
    const library = await loadLibrary(undefined, {
      scorable: { name: 'narrow scorer', dimensions: rules.dimensions.filter((d) => d !== 'reporting') },
    });
    const messages = library.problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages.some((m) => /dimensions\.yaml: the narrow scorer has no judge for the dimension "reporting"/.test(m))).toBe(true);
    expect(
      messages.some((m) => /broadband-third-dropout\.yaml: the narrow scorer has no judge for the dimension "reporting"/.test(m)),
    ).toBe(true);
    expect(library.scenarios.some((s) => s.dimensions.includes('reporting'))).toBe(false);
    const full = await loadLibrary(undefined, { scorable: { name: 'rules scorer', dimensions: rules.dimensions } });
    expect(full.problems).toEqual([]);
  });
});

describe('one view of a scored rehearsal', () => {
  it('names levels and criteria, and picks out the strongest and weakest replies from the per-turn levels', async () => {
    const r = await play(washingMachine);
    await r.say('Calm down, you probably overloaded it.');
    await r.say("I'm so sorry, that sounds really stressful with water all over your kitchen. When did it start leaking?");
    const report = await r.score();
    const view = debriefView({
      title: washingMachine.title,
      report,
      dimensions: shipped.dimensions,
      order: washingMachine.dimensions,
      endReason: 'learner-ended',
      turns: r.turns,
    });
    expect(view.dimensions.map((d) => d.id)).toEqual(washingMachine.dimensions);
    // Criteria are named only at a level that evidences them (Competent and up).
    for (const d of view.dimensions) expect(d.criteria.length > 0).toBe(d.level !== null && d.level >= 2);
    expect(view.dimensions.find((d) => d.id === 'questioning')!.criteria).toContain('CS17 1.2');
    expect(view.strongest).toMatchObject({ turn: 4 });
    expect(view.strongest!.quote).toMatch(/^I'm so sorry/);
    expect(view.weakest).toMatchObject({
      turn: 2,
      quote: 'Calm down, you probably overloaded it.',
      why: expect.stringMatching(/calm down/i),
    });
    expect(view.summary).toMatch(/^listening \d, /);
  });

  it("names the reply that crossed the learner's authority as the one to work on, never as the strongest", async () => {
    const r = await play(washingMachine);
    await r.say("I'm so sorry, that sounds really stressful with water all over your kitchen. When did it start leaking?");
    await r.say('Honestly, I guarantee it will never happen again.');
    const view = debriefView({ title: washingMachine.title, report: await r.score(), dimensions: shipped.dimensions, turns: r.turns });
    expect(view.weakest).toMatchObject({ turn: 4, why: expect.stringMatching(/^beyond your authority/) });
    expect(view.strongest?.turn).toBe(2);
  });
});
