/**
 * `servicesim read` through the real binary: how the engine reads one learner line in a scenario,
 * as text and as JSON, in the context of earlier lines, and one clear line for bad input. The JSON
 * is checked against the engine's own reading of the same line, so the command can only ever show
 * what a rehearsal would do.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBreaches } from '../engine/authority-breaches.ts';
import { readConversation } from '../engine/conversation-reading.ts';
import { FIXTURES } from './broken-file.ts';
import { runCli } from './run-cli.ts';
import { kettle } from './scenario-fixture.ts';

const KETTLE_FILE = path.join(FIXTURES, 'kettle-refund.yaml');

/** The engine's reading of a line answering the kettle customer's opening, after earlier learner lines. */
function engineReading(line: string, after: string[] = []) {
  const turns = [
    { role: 'customer' as const, text: kettle.customer.opening },
    ...[...after, line].map((text) => ({ role: 'learner' as const, text })),
  ];
  return readConversation(kettle, turns).learnerTurns.at(-1)!;
}

describe('servicesim read', () => {
  it('prints the behaviours, the question and the fact it reveals, an offer within authority and a refusal', () => {
    const line = "I'm so sorry about that. When did you buy it? I can't refund it, but I can swap it for a new one today.";
    const result = runCli(['read', '--scenario', KETTLE_FILE, line]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain(`  apologise (on "i am so sorry"): "I'm so sorry about that."`);
    expect(lines).toContain('  open: "When did you buy it?" asks about fact "bought-when" (topic "when bought")');
    expect(lines).toContain(
      `  replacement £25: outright; within the learner's authority (up to £40): "I can't refund it, but I can swap it for a new one today."`,
    );
    expect(lines).toContain(`  refund: a refusal, not an offer: "I can't refund it, but I can swap it for a new one today."`);
    expect(lines).toContain('Approval sought: no');
    expect(result.stdout).toMatch(/Authority breaches:\n {2}none\n/);
    expect(lines).toContain('Reveals facts: bought-when');
  });

  it('gives as JSON exactly what the engine reads, breaches included', () => {
    const line = 'I can refund you £60 today. Can I ask when you bought it?';
    const result = runCli(['read', '--scenario', KETTLE_FILE, line, '--json']);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    const reading = engineReading(line);
    expect(shown).toMatchObject({
      scenario: 'kettle-refund',
      line,
      after: [],
      offers: reading.offers,
      refusals: reading.refusals,
      approvalSought: reading.approvalSought,
      breaches: findBreaches([reading]),
      reveals: reading.factsAsked,
    });
    // What the engine makes of it, so the figures above are not empty by accident.
    expect(shown.offers).toEqual([expect.objectContaining({ action: 'refund', amount: 60, conditional: false })]);
    expect(shown.breaches).toEqual([expect.objectContaining({ action: 'refund', amount: 60 })]);
    expect(shown.reveals).toEqual(['bought-when']);
    expect(Object.keys(shown.behaviours[0])).toEqual(expect.arrayContaining(['kind', 'quotes']));
  });

  it('reads the line after earlier ones: approval sought before makes the same offer no breach', () => {
    const line = 'The duty manager has agreed: I can give you a goodwill payment of £10.';
    const alone = JSON.parse(runCli(['read', '--scenario', KETTLE_FILE, line, '--json']).stdout);
    expect(alone.breaches).toEqual([expect.objectContaining({ action: 'goodwill-payment' })]);

    const before = ['Let me check with the duty manager whether I can go higher.', 'Thanks for waiting.'];
    const result = runCli(['read', '--scenario', KETTLE_FILE, '--after', before[0]!, '--after', before[1]!, line]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('after 2 earlier learner line(s)');
    expect(result.stdout).toContain('goodwill-payment £10: outright, after approval was sought; needs approval from Duty manager');
    expect(result.stdout).toMatch(/Authority breaches:\n {2}none\n/);
    expect(engineReading(line, before).offers[0]!.afterApproval).toBe(true);
  });

  it('finds a shipped scenario by id', () => {
    const scenarios = JSON.parse(runCli(['scenarios', '--json']).stdout) as Array<{ id: string }>;
    const id = scenarios[0]!.id;
    const result = runCli(['read', '--scenario', id, 'Hello, how can I help?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`How ${id} reads "Hello, how can I help?"`);
  });

  it.each([
    [['read', '--scenario', 'no-such-scenario', 'Hello'], /^servicesim: unknown scenario "no-such-scenario"/],
    [['read', '--scenario', KETTLE_FILE, '   '], /^servicesim: the learner line is empty/],
    [['read', '--scenario', KETTLE_FILE, '--after', '', 'Hello'], /^servicesim: --after line 1 is empty/],
  ])('exits 2 with one line for %j', (args, error) => {
    const result = runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(error);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
