/**
 * The warning for a fact whose wordings do not all carry its details: one row per class of
 * detail, each beside a neighbour that must not warn, and the shipped library kept clean of it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { factLineWarnings } from '../engine/fact-line-checks.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { parseYamlSource } from '../engine/yaml-source.ts';

interface Row {
  name: string;
  fact: string;
  says: string[];
  cause?: boolean;
  /** What the warning for each wording names as left out, by wording; empty when none warns. */
  warns: Record<number, string>;
}

const CHANGED_NUMBER = 'He changed his mobile number seven weeks ago. The old number, ending 4471, no longer works; the new one ends 2093.';

const ROWS: Row[] = [
  {
    name: 'a number one wording drops',
    fact: CHANGED_NUMBER,
    says: ["I changed my number. The old one's dead.", '4471? That is my old number. Mine ends 2093.'],
    warns: { 0: '4471, 2093' },
  },
  {
    name: 'neighbour: the same number said in words and in digits',
    fact: 'The Westway train was held for about 50 minutes.',
    says: ['Fifty minutes we sat there.', 'We sat there for 50 minutes.'],
    warns: {},
  },
  {
    name: 'a price said as a pair of numbers ("eleven forty") is the same amount',
    fact: 'The hotel bill was €1,140 for seven nights.',
    says: ['Eleven hundred and forty euros, seven nights.', 'Hotel bill, seven nights, eleven forty.'],
    warns: {},
  },
  {
    name: 'neighbour: a price one wording drops',
    fact: 'The hotel bill was €1,140 for seven nights.',
    says: ['Eleven hundred and forty euros, seven nights.', 'Hotel bill for the week. Declined.'],
    warns: { 1: '1140, 7' },
  },
  {
    name: 'a date one wording drops (ordinal in words and in digits agree)',
    fact: 'She emailed the organiser on 4 May; they replied on 12 May.',
    says: ['I emailed them on the fourth. They took until the 12th.', 'They only got back to me on the twelfth.'],
    warns: { 1: '4' },
  },
  {
    name: 'a name one wording drops',
    fact: 'Her neighbour at number 23 has been in Spain for three weeks and got back on Monday.',
    says: [
      'Next door, number 23, has been in Spain for three weeks, back Monday.',
      'The bloke at 23 has been away three weeks, back Monday.',
    ],
    warns: { 1: 'Spain' },
  },
  {
    name: 'neighbour: a name opening a sentence still counts as said',
    fact: 'Her partner, Gemma, paid the hotel on her credit card.',
    says: ['Gemma ended up paying on her card.', 'My partner, Gemma, had to pay.'],
    warns: {},
  },
  {
    name: 'neighbour: an aside the fact does not state is the customer’s voice, not a detail',
    fact: CHANGED_NUMBER,
    says: [
      'It ends 2093 now, the old 4471 is dead. Seven weeks ago. It took me about a minute in the app.',
      'Seven weeks back I switched: 4471 is gone, 2093 is mine. Ask Dave in your Leeds branch.',
    ],
    warns: {},
  },
  {
    name: 'neighbour: a fact outside the cause may share its details out between wordings',
    fact: 'He flies home tomorrow at 6pm with about €35 in cash.',
    says: ['We fly back tomorrow at six.', "I've got about thirty-five euros in cash."],
    cause: false,
    warns: {},
  },
  {
    name: 'neighbour: one wording has nothing to compare with',
    fact: CHANGED_NUMBER,
    says: ["I changed my number. The old one's dead."],
    warns: {},
  },
];

function warningsFor(row: Row) {
  const data = {
    facts: [{ id: 'the-fact', fact: row.fact, topics: ['topic'], says: row.says, cause: row.cause ?? true }],
  };
  const source = parseYamlSource('scenario.yaml', stringify(data));
  return factLineWarnings(data, source);
}

describe('factLineWarnings', () => {
  it.each(ROWS)('$name', (row) => {
    const warnings = warningsFor(row);
    const expected = Object.entries(row.warns).map(([i, missing]) => ({ path: `facts[0].says[${i}]`, missing }));
    expect(warnings.map((w) => ({ path: w.path, missing: /leaves out (.*), which another/.exec(w.message)?.[1] }))).toEqual(expected);
  });

  it('names the fact, quotes the wording and points at its line', () => {
    const [warning] = warningsFor(ROWS[0]!);
    expect(warning!.message).toContain('fact "the-fact"');
    expect(warning!.message).toContain(`the wording "I changed my number. The old one's dead."`);
    expect(warning!.line).toBeGreaterThan(1);
    expect(warning!.fix).toContain('say them in this wording too');
  });

  it('finds nothing to warn about in the shipped scenarios it may change', async () => {
    const held = [
      'car-hire-damage-charge',
      'driving-school-instructor-no-show',
      'nursery-fees-closure',
      'phone-repair-data-loss',
      'removals-broken-wardrobe',
      'letting-deposit-deductions',
    ];
    const library = await loadLibrary();
    const shipped = library.scenarios.filter((s) => !held.includes(s.id));
    expect(shipped.length).toBeGreaterThan(20);
    const warnings = shipped.flatMap((scenario) => {
      const file = library.files.get(scenario.id)!;
      return factLineWarnings(scenario, parseYamlSource(file, readFileSync(file, 'utf8')));
    });
    expect(warnings.map((w) => `${w.file}: ${w.path}: ${w.message}`)).toEqual([]);
  });
});
