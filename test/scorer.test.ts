import { describe, expect, it } from 'vitest';
import { scoreTranscript } from '../engine/rules-scorer.ts';
import type { Turn } from '../engine/transcript.ts';
import { kettle } from './scenario-fixture.ts';

const c = (text: string): Turn => ({ role: 'customer', text });
const l = (text: string): Turn => ({ role: 'learner', text });

const strong: Turn[] = [
  c(kettle.customer.opening),
  l("I'm sorry, a kettle packing in after ten days is really frustrating. Can you tell me what happens when you switch it on?"),
  c('The light comes on but it never heats the water.'),
  l('So the light comes on but the kettle never heats. Just to check, when did you buy it — do you have the receipt? Is that right?'),
  c("Ten days ago. I've still got the receipt."),
  l(
    "Thanks. As it's within 30 days it's a fault, so you can have a replacement today or a full refund. A replacement means a working kettle now but it's the same model; a refund is instant but you'd need to shop elsewhere. For us a replacement keeps the sale. Which would you prefer?",
  ),
  c("I'll take the replacement."),
  l(
    "Great, so to confirm: I've swapped it for a new one from stock now, and I'll email your receipt by 5pm today. Is there anything else I can help with?",
  ),
];

const weak: Turn[] = [
  c(kettle.customer.opening),
  l('Calm down. You must have dropped it.'),
  c('I did not drop it!'),
  l("Not my problem. I'll refund you £60, and I guarantee the next one will never fail."),
];

describe('the rules scorer', () => {
  it('levels a strong rehearsal high on every dimension, with evidence', () => {
    const report = scoreTranscript(kettle, strong);
    expect(report.breaches).toEqual([]);
    for (const [id, score] of Object.entries(report.dimensions)) {
      expect(score.level, id).toBeGreaterThanOrEqual(2);
      expect(score.evidence.length, id).toBeGreaterThan(0);
      for (const e of score.evidence) expect(strong[e.turn - 1]!.text).toContain(e.quote.slice(0, 20));
    }
    expect(report.dimensions.questioning!.level).toBe(3);
  });

  it('levels a harmful rehearsal at 0, lists its breaches and holds authority at 0', () => {
    const report = scoreTranscript(kettle, weak);
    expect(report.dimensions.listening!.level).toBe(0);
    expect(report.dimensions.authority!.level).toBe(0);
    expect(report.breaches.map((b) => [b.turn, b.action])).toEqual(
      expect.arrayContaining([
        [4, 'refund'],
        [4, 'guarantee'],
      ]),
    );
    expect(report.breaches.find((b) => b.action === 'refund')!.rule).toMatch(/over the £40 limit/);
  });

  it('gives one concrete suggestion for every dimension not at the top', () => {
    const report = scoreTranscript(kettle, weak);
    for (const score of Object.values(report.dimensions)) {
      if (score.level !== null && score.level < 3) expect(score.suggestion.length).toBeGreaterThan(30);
    }
  });

  it('marks unresolved as not applicable when nothing was refused in a resolvable scenario', () => {
    const withUnresolved = { ...kettle, dimensions: [...kettle.dimensions, 'unresolved'] };
    expect(scoreTranscript(withUnresolved, strong).dimensions.unresolved!.level).toBeNull();
    const refused = [
      ...strong.slice(0, 2),
      l("I'm afraid I can't refund it because it's company policy, but you can contact the duty manager on extension 20."),
    ];
    expect(scoreTranscript(withUnresolved, refused).dimensions.unresolved!.level).toBeGreaterThanOrEqual(2);
  });

  it('keeps a ledger of commitments, with who, what and when', () => {
    const report = scoreTranscript(kettle, strong);
    expect(report.commitments).toEqual([expect.objectContaining({ turn: 8, who: 'the learner', when: 'by 5pm today' })]);
  });

  it('levels every learner turn on its own as well', () => {
    const report = scoreTranscript(kettle, weak);
    expect(report.turns.map((t) => t.turn)).toEqual([2, 4]);
    expect(report.turns[1]!.levels.authority).toBe(0);
  });

  it('is deterministic', () => {
    expect(scoreTranscript(kettle, strong)).toEqual(scoreTranscript(kettle, strong));
  });
});

describe('levels that depend on the whole conversation', () => {
  it('gives negotiation 1, not 0, for an option named but never put to the customer', () => {
    const turns = [
      c(kettle.customer.opening),
      l("I'm sorry about that. A replacement is one possibility, depending on stock."),
      c('Right.'),
      l('Thanks for calling.'),
    ];
    expect(scoreTranscript(kettle, turns).dimensions.negotiation?.level).toBe(1);
  });

  it('gives questioning 0 when the only questions uncover nothing', () => {
    const turns = [
      c(kettle.customer.opening),
      l('Did you not read the instructions?'),
      c('Of course I did.'),
      l('Is there anything else?'),
    ];
    expect(scoreTranscript(kettle, turns).dimensions.questioning?.level).toBe(0);
  });
});
