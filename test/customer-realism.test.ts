/**
 * The scripted customer sounds like a person (issue 13): it reacts only to what the learner said,
 * never stacks contradictory reactions or leaves before the learner can close, and answers every
 * question asked, in character. One table row per behaviour: what the learner says (after some
 * earlier turns), and what the customer's reply must and must not contain, checked for several
 * seeds so that no lucky choice of wording hides a line that should never be said.
 */
import { describe, expect, it } from 'vitest';
import { LINE_KINDS, lineContext, linesFor } from '../engine/customer-lines.ts';
import { readLearnerTurn } from '../engine/learner-turn.ts';
import { formatProblem } from '../engine/problem.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { scratchDir, writeVariant } from './broken-file.ts';
import { play } from './play-rehearsal.ts';
import { kettle } from './scenario-fixture.ts';

/** An angry kettle customer with lines of its own, as an author writes them: some plain, some declaring what they need. */
const angry: Scenario = {
  ...kettle,
  customer: { ...kettle.customer, mood: 3, persistence: 1 },
  lines: {
    angrier: [
      "Don't tell me to calm down. I've been stood here an hour.",
      "You're not listening. I've already told you all this.",
      "'I understand your frustration.' No you don't.",
      { says: "Don't tell me there's a process. I want a kettle.", echoes: ['process'] },
      'This is ridiculous.',
    ],
    pushback: [
      'Twenty-five quid? For a kettle that lasted ten days?',
      'Fifty quid? That would not even buy a decent one.',
      "Usually done by Friday? 'Usually' isn't good enough.",
    ],
  },
};

/** The kettle customer who wants compensation as well, and accepts what it likes at once. */
const demanding: Scenario = {
  ...kettle,
  customer: {
    ...kettle.customer,
    persistence: 0,
    asksFor: { action: 'goodwill-payment', amount: 20, says: 'And I want twenty pounds for my trouble.' },
  },
};

/** A fact asked about with an everyday word ("help"), as in the shipped scenarios. */
const helped: Scenario = {
  ...kettle,
  facts: [
    ...kettle.facts,
    { id: 'helper', fact: 'A neighbour carried it in.', topics: ['help'], says: ['My neighbour helped me carry it in.'], cause: false },
  ],
};

/** A kettle that cannot be repaired or replaced: the learner can only refer. */
const unresolvable: Scenario = {
  ...kettle,
  resolvable: false,
  unresolvableBecause: 'The manufacturer no longer makes parts or this model.',
  options: [],
};

const FACT_WORDS = /ten days|receipt|light comes on|never heats|neighbour/i;
const GOODBYE = /\b(?:bye|goodbye)\b/i;
const TOLD_BEFORE = /as i said|i told you|like i said|already told/i;

interface Row {
  name: string;
  scenario: Scenario;
  before?: string[];
  learner: string;
  must?: RegExp[];
  mustNot?: RegExp[];
  ended?: boolean;
  endReason?: string;
  /** The reply repeats, word for word, the fact told in answer to this earlier turn (0-based). */
  sameAnswerAs?: number;
}

const SEEDS = ['a', 'b', 'c', 'd', 'e', 'f'];

async function check(row: Row) {
  for (const seed of SEEDS) {
    const r = await play(row.scenario, seed);
    const earlier: string[] = [];
    for (const line of row.before ?? []) earlier.push(await r.say(line));
    const reply = await r.say(row.learner);
    const where = `${row.name} (seed ${seed}): "${reply}"`;
    for (const wanted of row.must ?? []) expect(reply, where).toMatch(wanted);
    for (const unwanted of row.mustNot ?? []) expect(reply, where).not.toMatch(unwanted);
    if (row.ended !== undefined) expect(r.ended, where).toBe(row.ended);
    if (row.endReason !== undefined) expect(r.endReason, where).toBe(row.endReason);
    if (row.sameAnswerAs !== undefined) {
      const told = row.scenario.facts.flatMap((f) => f.says).find((line) => earlier[row.sameAnswerAs!]!.includes(line))!;
      expect(reply, where).toContain(told.slice(1));
    }
  }
}

describe('reaction lines are tied to the behaviour that triggered them', () => {
  const rows: Row[] = [
    {
      name: 'a warm apology is never answered as if the learner had said "calm down" or "I understand your frustration"',
      scenario: angry,
      learner: "I'm so sorry, I completely understand how frustrating this is.",
      mustNot: [/calm down/i, /your frustration/i, TOLD_BEFORE],
    },
    {
      name: 'a vague promise to an angry customer gets an angry line, but none that quotes words not said',
      scenario: angry,
      learner: "Don't worry, we will get it sorted soon.",
      mustNot: [/calm down/i, /your frustration/i, /process/i, /usually/i, TOLD_BEFORE],
    },
    {
      name: '"calm down" is answered in the scenario\'s own words about being told to calm down',
      scenario: angry,
      learner: 'Calm down, sir.',
      must: [/Don't tell me to calm down\. I've been stood here an hour\./],
    },
    {
      name: '"relax" is no "calm down": the line quoting "calm down" is not used',
      scenario: angry,
      learner: 'Relax, sir.',
      mustNot: [/calm down/i],
    },
    {
      name: 'an offer of £25 is echoed as twenty-five quid, never as fifty, nor as "usually"',
      scenario: angry,
      learner: 'I can refund you £25 today, would you like that?',
      must: [/Twenty-five quid\?/],
      mustNot: [/Fifty quid/, /usually/i],
    },
    {
      name: 'nothing told yet, the customer says no "I told you"',
      scenario: angry,
      before: ['Okay.'],
      learner: 'Okay.',
      mustNot: [TOLD_BEFORE],
    },
    {
      name: 'having asked nothing, the customer does not say its question went unanswered',
      scenario: kettle,
      learner: 'Okay.',
      mustNot: [/answered my question|not what i asked/i],
    },
  ];
  it.each(rows)('$name', check);
});

describe('a reply never stacks contradictory reactions, nor ends before the learner can close', () => {
  const rows: Row[] = [
    {
      name: 'accepting, the customer neither says goodbye nor presses another demand in the same message',
      scenario: demanding,
      learner: 'I can replace it with the same model today, would you like that?',
      must: [/.+/],
      mustNot: [GOODBYE, /twenty pounds/i],
      ended: false,
    },
    {
      name: 'then the learner confirms, and the customer says goodbye, agreed',
      scenario: demanding,
      before: ['I can replace it with the same model today, would you like that?'],
      learner: "Great, so to confirm I've swapped it for a new one now. Is there anything else?",
      must: [GOODBYE],
      ended: true,
      endReason: 'agreed',
    },
    {
      name: 'a refusal with its reason beside an accepted offer: the customer accepts, and does not ask who else can help',
      scenario: demanding,
      learner: "I can't give you a refund because it is past the return window, but I can replace it today, would you like that?",
      mustNot: [/who (?:else|can)|anyone else|where am i supposed/i, GOODBYE],
      ended: false,
    },
    {
      name: 'an escalation with a time is accepted, and the customer waits for the learner to close',
      scenario: kettle,
      learner:
        "That's more than I can authorise myself, so I'm asking the duty manager now. I'll ring you back by 5pm today with her answer.",
      mustNot: [GOODBYE],
      ended: false,
    },
    {
      name: 'then the learner closes, and the escalation ends it: "anything else I can help with?" asks about no fact',
      scenario: helped,
      before: [
        "That's more than I can authorise myself, so I'm asking the duty manager now. I'll ring you back by 5pm today with her answer.",
      ],
      learner: 'Is there anything else I can help with?',
      must: [GOODBYE],
      mustNot: [FACT_WORDS],
      ended: true,
      endReason: 'escalated',
    },
    {
      name: 'a referral with its reason is accepted without a goodbye, so the learner can still say what happens next',
      scenario: unresolvable,
      learner:
        "I'm sorry, we can't repair it because the manufacturer no longer makes parts. You could contact Citizens Advice on 0808 223 1133.",
      mustNot: [GOODBYE],
      ended: false,
    },
    {
      name: 'what the learner adds after the referral is taken in, not met as if the customer were ignored',
      scenario: unresolvable,
      before: [
        "I'm sorry, we can't repair it because the manufacturer no longer makes parts. You could contact Citizens Advice on 0808 223 1133.",
      ],
      learner: "I'll email you their details by 5pm today.",
      mustNot: [GOODBYE, /hear what i|not listening|going to help me|what are you (?:actually )?going to do/i],
      ended: false,
    },
    {
      name: 'then the learner closes, and the referral ends it',
      scenario: unresolvable,
      before: [
        "I'm sorry, we can't repair it because the manufacturer no longer makes parts. You could contact Citizens Advice on 0808 223 1133.",
        "I'll email you their details by 5pm today.",
      ],
      learner: 'Is there anything else I can help with?',
      must: [GOODBYE],
      ended: true,
      endReason: 'referred',
    },
  ];
  it.each(rows)('$name', check);
});

describe('every question gets its answer, consistently, and small talk is answered in character', () => {
  const rows: Row[] = [
    {
      name: 'two questions in one message get both answers, in the order asked',
      scenario: kettle,
      learner: 'When did you buy it? And what happens when you switch it on?',
      must: [/ten days[\s\S]*light comes on but it never heats the water/i],
    },
    {
      name: 'a fact told once is not said to have been told before',
      scenario: kettle,
      learner: 'When did you buy it?',
      must: [/ten days/i],
      mustNot: [TOLD_BEFORE],
    },
    {
      name: 'asked again, the fact is told again in the same words, as something already said',
      scenario: kettle,
      before: ['When did you buy it?'],
      learner: 'Sorry, when did you buy it again?',
      must: [TOLD_BEFORE],
      sameAnswerAs: 0,
    },
    {
      name: '"are you a bot?" is answered as a person would, with no fact and no complaint',
      scenario: kettle,
      learner: 'Are you a bot?',
      must: [/bot\? no|person|someone/i],
      mustNot: [FACT_WORDS, /no idea what that means|plain english|not listening/i],
    },
    {
      name: '"is this AI?" is no jargon to the customer, and is answered in character',
      scenario: kettle,
      learner: 'Is this AI?',
      must: [/person|someone/i],
      mustNot: [FACT_WORDS, /no idea what that means|plain english|what any of that means/i],
    },
    {
      name: '"am I talking to a real person?" is answered in character too',
      scenario: kettle,
      learner: 'Am I talking to a real person?',
      must: [/person|someone/i],
      mustNot: [FACT_WORDS],
    },
    {
      name: 'a question about the problem that names a computer is no question about the customer',
      scenario: kettle,
      learner: 'Is this a computer fault?',
      mustNot: [/bot\?|i'm a person|i'm just someone/i],
    },
    {
      name: 'small talk is steered back to the problem, and draws out no fact',
      scenario: kettle,
      learner: "What's your favourite football team?",
      must: [/sorted|problem|why i'm here/i],
      mustNot: [FACT_WORDS],
    },
    {
      name: 'an open question about the problem still gets the story',
      scenario: kettle,
      learner: "What's been going on?",
      must: [/ten days/i],
    },
  ];
  it.each(rows)('$name', check);
});

describe('a bot question does not move the mood, and every situation always has a wording', () => {
  it('keeps the mood where it was', async () => {
    const r = await play(kettle);
    await r.say('Are you a bot?');
    expect(r.customer.mood).toBe(kettle.customer.mood);
  });

  it('has a wording for every situation when nothing any line needs has happened, and each said lately gives way', () => {
    const turn = readLearnerTurn('Okay.', { scenario: angry, turn: 1, approvalSoughtEarlier: false });
    const context = lineContext({ scenario: angry, turn, offered: false, toldBefore: false, customerAsked: false });
    // A fact is repeated only once told: that is the one situation with a need of its own.
    const repeat = linesFor(angry, 'repeat', { ...context, toldBefore: true });
    expect(repeat.length).toBeGreaterThan(0);
    expect(linesFor(angry, 'repeat', context)).toEqual([]);
    for (const kind of LINE_KINDS.filter((k) => k !== 'repeat')) {
      const lines = linesFor(angry, kind, context);
      expect(lines.length, kind).toBeGreaterThan(0);
      // Every one said lately: others stand in, or at worst the same ones, never nothing.
      expect(linesFor(angry, kind, context, lines).length, kind).toBeGreaterThan(0);
    }
    // The scenario's own angry line needing nothing is said before any general one.
    expect(linesFor(angry, 'angrier', context)).toEqual(['This is ridiculous.']);
  });
});

describe('the validator knows the triggers a scripted line may declare', () => {
  const withLines = (lines: string) => {
    const file = writeVariant(scratchDir(), 'kettle-refund.yaml', [['dimensions: [', `${lines}\ndimensions: [`]]);
    return loadLibrary([file]);
  };

  it('loads lines that declare what they need', async () => {
    const library = await withLines(
      'lines:\n  angrier:\n    - says: Don\'t tell me to calm down.\n      when: told-to-calm-down\n    - Plain line.\n  pushback:\n    - says: "Fifty quid?"\n      echoes: ["50"]',
    );
    expect(library.problems).toEqual([]);
    expect(library.scenarios[0]!.lines.angrier).toEqual([
      { says: "Don't tell me to calm down.", when: 'told-to-calm-down' },
      'Plain line.',
    ]);
  });

  it('names an unknown trigger at its place, with the nearest and every allowed one', async () => {
    const library = await withLines('lines:\n  angrier:\n    - says: Calm down?\n      when: told-to-calmdown');
    expect(library.problems).toHaveLength(1);
    const [problem] = library.problems;
    expect(problem!.path).toBe('lines.angrier[0].when');
    expect(problem!.fix).toMatch(/did you mean "told-to-calm-down"\? use one of: told-to-calm-down, blamed, dismissed/);
    expect(problem!.fix).toContain('customer-asked');
  });

  it('names an unknown key in a line with the keys allowed, and a line that is neither text nor a mapping', async () => {
    const library = await withLines('lines:\n  angrier:\n    - says: Calm down?\n      whenn: blamed\n    - [a, list]');
    expect(library.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/lines\.angrier\[0\]\.whenn: unknown key "whenn" in a line — keys allowed here: says, when, echoes/),
      expect.stringMatching(/lines\.angrier\[1\]: a line must be text, or "says:"/),
    ]);
  });
});
