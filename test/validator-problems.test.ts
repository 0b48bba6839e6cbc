/**
 * What the validator tells a scenario author, one row per class of problem: the fragment of the
 * file that is wrong (an edit of the kettle fixture), and the message and hint expected there.
 * Then the rules that cut across rows: shape and cross-reference problems in one pass, warnings
 * that never stop a scenario, and the content hash a transcript records and `score` compares.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary, scenarioHashOf } from '../engine/rubric-library.ts';
import { FIXTURES, KETTLE, lineOf, scratchDir, writeVariant } from './broken-file.ts';
import { runCli } from './run-cli.ts';

async function load(edits: Array<[string, string]>) {
  const file = writeVariant(scratchDir(), 'kettle-refund.yaml', edits);
  return loadLibrary([file]);
}

const MOOD_HINT = 'write a whole number from 0 to 4 (0 calm, 1 uneasy, 2 annoyed, 3 angry, 4 furious), without quotes';
const POUNDS_HINT = 'write the amount in pounds as a plain number such as 30 or 12.50, without the £ sign';

interface Row {
  what: string;
  edits: Array<[string, string]>;
  path: string;
  message: string;
  fix: string;
  /** Where the problem points, as text of the fixture on that line (after the edit). */
  line?: string;
}

const PROBLEMS: Row[] = [
  {
    what: 'a mood written as a word is a number on its scale, not pounds',
    edits: [['mood: 2', 'mood: high']],
    path: 'customer.mood',
    message: 'expected a number, found "high"',
    fix: MOOD_HINT,
    line: 'mood: 2',
  },
  {
    what: "a mood written as one of the scale's own words gets its number",
    edits: [['mood: 2', 'mood: angry']],
    path: 'customer.mood',
    message: 'expected a number, found "angry"',
    fix: `did you mean 3 (angry)? ${MOOD_HINT}`,
  },
  {
    what: 'a mood above the scale',
    edits: [['mood: 2', 'mood: 9']],
    path: 'customer.mood',
    message: 'must be at most 4',
    fix: MOOD_HINT,
  },
  {
    what: 'a mood that is not a whole number',
    edits: [['mood: 2', 'mood: 2.5']],
    path: 'customer.mood',
    message: 'expected a whole number, found 2.5',
    fix: MOOD_HINT,
  },
  {
    what: 'a missing mood says what a mood is',
    edits: [['  mood: 2\n', '']],
    path: 'customer',
    message: '"mood" is missing',
    fix: 'add "mood:" here (a whole number from 0 to 4: 0 calm, 1 uneasy, 2 annoyed, 3 angry, 4 furious)',
  },
  {
    what: 'persistence out of range says what it counts',
    edits: [['persistence: 1', 'persistence: 7']],
    path: 'customer.persistence',
    message: 'must be at most 3',
    fix: 'write a whole number from 0 to 3 (how many times the customer pushes back before accepting a workable option), without quotes',
  },
  {
    what: 'an amount with a pound sign',
    edits: [['    amount: 25\n    description: Refund', '    amount: "£25"\n    description: Refund']],
    path: 'options[0].amount',
    message: 'expected a number, found "£25"',
    fix: POUNDS_HINT,
  },
  {
    what: 'a negative cap',
    edits: [['      upTo: 40\n    - action: replacement', '      upTo: -40\n    - action: replacement']],
    path: 'authority.mayOffer[0].upTo',
    message: 'must be zero or more pounds',
    fix: POUNDS_HINT,
  },
  {
    what: 'a value outside a closed list, with the one meant',
    edits: [['channel: face-to-face', 'channel: phon']],
    path: 'setting.channel',
    message: '"phon" is not an allowed value',
    fix: 'did you mean "phone"? use one of: face-to-face, phone, chat, email',
  },
  {
    what: 'a missing key with a closed list of values lists them, not "undefined"',
    edits: [['difficulty: introductory\n', '']],
    path: '',
    message: '"difficulty" is missing',
    fix: 'add "difficulty:" here (one of: introductory, intermediate, advanced)',
  },
  {
    what: 'an action the learner may offer that authority.never also forbids',
    edits: [['  needsApproval:\n', '    - action: guarantee\n  needsApproval:\n']],
    path: 'authority.never[0].action',
    message: '"guarantee" is both allowed (authority.mayOffer[2]) and forbidden (authority.never[0]), with no amount to tell them apart',
    fix: 'authority.never forbids every guarantee, so authority.mayOffer[2] can never be used: remove one of the two, or if only larger guarantees are forbidden, cap authority.mayOffer with upTo and route the rest through authority.needsApproval',
  },
  {
    what: 'an action needing approval that authority.never also forbids',
    edits: [['    - action: guarantee\n      what:', '    - action: goodwill-payment\n      what:']],
    path: 'authority.never[0].action',
    message:
      '"goodwill-payment" is both allowed (authority.needsApproval[0]) and forbidden (authority.never[0]), with no amount to tell them apart',
    fix: 'authority.never forbids every goodwill-payment, so authority.needsApproval[0] can never be used: remove one of the two, or if only larger goodwill-payments are forbidden, cap authority.mayOffer with upTo and route the rest through authority.needsApproval',
  },
  {
    what: 'a named form of an action with no words that name it',
    edits: [['      upTo: 40\n    - action: replacement', '      upTo: 40\n      form: same-day refund\n    - action: replacement']],
    path: 'authority.mayOffer[0].form',
    message: 'the form "same-day refund" of "refund" has no wordings, so no offer could ever be read as it',
    fix: 'add "wordings:" with the words a learner would use for it, e.g. ["same day", "this afternoon"]',
  },
  {
    what: 'words for a form, on an entry with no form',
    edits: [['      upTo: 40\n    - action: replacement', '      upTo: 40\n      wordings: [today]\n    - action: replacement']],
    path: 'authority.mayOffer[0].wordings',
    message: 'wordings here name a form of "refund", but the entry has no "form"',
    fix: 'add "form:" with a short name for it (e.g. "same-day collection"), or move the wordings to the option they offer',
  },
  {
    what: 'a condition on a fact the scenario does not have',
    edits: [
      ['      upTo: 40\n    - action: replacement', '      upTo: 40\n      onlyIf: { factUncovered: faults }\n    - action: replacement'],
    ],
    path: 'authority.mayOffer[0].onlyIf.factUncovered',
    message: 'no fact has the id "faults"',
    fix: 'did you mean "fault"? Facts are: bought-when, fault',
  },
  {
    what: 'a partly resolvable scenario that does not say which part cannot be resolved',
    edits: [['resolvable: true', 'resolvable: partly']],
    path: 'resolvable',
    message: 'a partly resolvable scenario must say which part cannot be resolved, and why',
    fix: 'add "unresolvableBecause:" with the part the learner should explain to the customer',
  },
];

const TOPIC_FIX =
  'add a word that only a question about this fact would use ("which order" → "order number"), or remove the topic if another one covers the fact';

const WARNINGS: Row[] = [
  {
    what: 'a topic that comes down to a word on the list of common ones',
    edits: [['topics: [when bought, receipt', 'topics: [the order, receipt']],
    path: 'facts[0].topics[0]',
    message:
      'the topic "the order" comes down to the one word "order", a word most questions in a conversation like this use: any question with "order" in it will reveal "bought-when"',
    fix: TOPIC_FIX,
  },
  {
    what: "a topic whose only word is in the customer's opening",
    edits: [['topics: [when bought, receipt', 'topics: [the kettle, receipt']],
    path: 'facts[0].topics[0]',
    message:
      'the topic "the kettle" comes down to the one word "kettle", which the customer\'s opening uses too: any question with "kettle" in it will reveal "bought-when"',
    fix: TOPIC_FIX,
  },
  {
    what: "a topic whose only word another fact's topics use, naming every topic of the fact that does",
    edits: [['topics: [when bought, receipt, purchase date]', 'topics: [when bought, the light, light on]']],
    path: 'facts[0].topics[1]',
    message:
      'the topics "the light", "light on" come down to the one word "light", which a topic of fact "fault" uses too: any question with "light" in it will reveal "bought-when"',
    fix: TOPIC_FIX,
  },
  {
    what: "an option's wording that names who approves, not the remedy",
    edits: [
      [
        'description: Refund the £25 to the card used.',
        'description: Refund the £25 to the card used.\n    wordings: [money back, duty manager]',
      ],
    ],
    path: 'options[0].wordings[1]',
    message: 'the wording "duty manager" names who approves, not the remedy, so it is ignored: a learner who mentions them offers nothing',
    fix: 'use the words a learner would use for the remedy itself (what the customer gets), or remove this wording',
  },
];

describe('each class of problem gets a message and a hint that fit the field', () => {
  it.each(PROBLEMS)('$what', async ({ edits, path: at, message, fix, line }) => {
    const library = await load(edits);
    const found = library.problems.filter((p) => p.path === at);
    expect(found).toEqual([expect.objectContaining({ message, fix })]);
    if (line) expect(found[0]!.line).toBe(lineOf(KETTLE, line));
    // A problem keeps the scenario out of play.
    expect(library.scenarios).toEqual([]);
  });

  it('gives no pounds hint for any number that is not an amount', async () => {
    const library = await load([
      ['mood: 2', 'mood: high'],
      ['persistence: 1', 'persistence: lots'],
    ]);
    expect(library.problems).toHaveLength(2);
    for (const problem of library.problems) expect(problem.fix).not.toMatch(/pound|£/);
  });
});

describe('warnings: what will work, but not as the author meant', () => {
  it.each(WARNINGS)('$what', async ({ edits, path: at, message, fix }) => {
    const library = await load(edits);
    expect(library.warnings.filter((w) => w.path === at)).toEqual([expect.objectContaining({ message, fix })]);
    // A warning is no problem: the scenario is still played.
    expect(library.problems).toEqual([]);
    expect(library.scenarios.map((s) => s.id)).toEqual(['kettle-refund']);
  });

  it('has none for a one-word topic kept narrow by its question word ("which order" needs "which")', async () => {
    expect((await load([['topics: [when bought, receipt', 'topics: [which order, receipt']])).warnings).toEqual([]);
  });

  it('has none for the fixture, whose topics each need words of their own', async () => {
    expect((await load([])).warnings).toEqual([]);
  });

  it('are printed by validate with "warning:", which still exits 0', () => {
    const dir = scratchDir();
    writeVariant(dir, 'kettle-refund.yaml', [['topics: [when bought, receipt', 'topics: [the order, receipt']]);
    const result = runCli(['validate', 'kettle-refund.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `kettle-refund.yaml:${lineOf(KETTLE, 'topics: [when bought')}:14: facts[0].topics[0]: warning: the topic "the order" comes down`,
    );
    expect(result.stdout).toMatch(
      /\n1 warning: the files are valid, but see above\nvalid: 1 scenario file, 1 dimensions file, 1 units file\n$/,
    );
  });
});

describe('shape and cross-reference problems in one pass', () => {
  it('reports a cross-reference problem in a file whose shape is also wrong', async () => {
    const library = await load([
      ['mood: 2', 'mood: high'],
      ['[listening, questioning', '[listening, questionning'],
      ['revealedBy: [fault]', 'revealedBy: [faults]'],
    ]);
    expect(library.problems.map((p) => [p.path, p.message])).toEqual([
      ['customer.mood', 'expected a number, found "high"'],
      ['cause.revealedBy[0]', 'no fact has the id "faults"'],
      ['dimensions[1]', 'unknown rubric dimension "questionning"'],
    ]);
  });

  it('leaves out only the checks that read a broken part, without guessing or crashing', async () => {
    // The options are broken: checks of options against authority cannot run, the rest still do.
    const library = await load([
      ['workable: true\n    customerReaction: pushback', 'workable: maybe\n    customerReaction: pushback'],
      ['  needsApproval:\n', '    - action: guarantee\n  needsApproval:\n'],
      ['id: kettle-refund', 'id: kettle'],
    ]);
    expect(library.problems.map((p) => p.path).sort()).toEqual(['authority.never[0].action', 'id', 'options[0].workable']);
  });

  it('does not also call a reason missing when it is there but broken', async () => {
    const library = await load([
      ['resolvable: true', 'resolvable: false\nunresolvableBecause: ""'],
      ['dimensions: [listening', 'dimensions: [unresolved, listening'],
    ]);
    const messages = library.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toContain('unresolvableBecause: must not be empty');
    expect(messages).not.toContain('resolvable: a scenario that cannot be resolved must say why');
  });

  it('survives files whose every part is wrong', async () => {
    const dir = scratchDir();
    writeFileSync(path.join(dir, 'a.yaml'), 'facts: 3\noptions: [1, 2]\nauthority: nope\ndimensions: {}\n');
    writeFileSync(path.join(dir, 'b.yaml'), '- just\n- a list\n');
    const library = await loadLibrary([dir]);
    expect(library.problems.length).toBeGreaterThan(5);
    expect(library.scenarios).toEqual([]);
  });
});

describe('the content hash of a scenario', () => {
  it('ignores comments, layout and key order, and changes with the content', async () => {
    const same = await load([
      ['# A small but complete', '# Reworded comment. A small but complete'],
      [
        'title: A kettle that stopped working\nsummary: A customer returns a kettle that stopped heating after ten days.',
        'summary: "A customer returns a kettle that stopped heating after ten days."\ntitle: A kettle that stopped working',
      ],
    ]);
    const original = await loadLibrary([path.join(FIXTURES, 'kettle-refund.yaml')]);
    const changed = await load([['mood: 2', 'mood: 3']]);
    const hash = scenarioHashOf(original.scenarios[0]!);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHashOf(same.scenarios[0]!)).toBe(hash);
    expect(scenarioHashOf(changed.scenarios[0]!)).not.toBe(hash);
  });
});

const TURNS = [
  { role: 'customer', text: 'This kettle packed in after ten days. I want it sorted.' },
  { role: 'learner', text: "I'm sorry about that. What happens when you switch it on?" },
];

describe('servicesim score and the scenario a transcript was recorded with', () => {
  const rehearse = (dir: string, scenarioFile: string) => {
    const result = runCli(['chat', '--scenario', scenarioFile], {
      input: "I'm sorry about that. What happens when you switch it on?\nI can replace it today, would you like that?\n/end\n",
      env: { DATA_DIR: dir },
    });
    expect(result.code).toBe(0);
    const saved = readdirSync(path.join(dir, 'transcripts'));
    expect(saved).toHaveLength(1);
    const file = path.join(dir, 'transcripts', saved[0]!);
    return { file, transcript: JSON.parse(readFileSync(file, 'utf8')) as { scenarioHash?: string } };
  };

  it('records the hash when a rehearsal is saved, and scores it against the same scenario', async () => {
    const dir = scratchDir();
    const scenarioFile = writeVariant(dir, 'kettle-refund.yaml', []);
    const { file, transcript } = rehearse(dir, scenarioFile);
    const loaded = await loadLibrary([scenarioFile]);
    expect(transcript.scenarioHash).toBe(scenarioHashOf(loaded.scenarios[0]!));
    const result = runCli(['score', '--scenario', scenarioFile, file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a changed scenario of the same id, naming both hashes and the file, unless told to score it anyway', async () => {
    const dir = scratchDir();
    const scenarioFile = writeVariant(dir, 'kettle-refund.yaml', []);
    // As `chat` saves it (the test above): the hash of the scenario as it was played.
    const transcript = {
      scenario: 'kettle-refund',
      scenarioHash: scenarioHashOf((await loadLibrary([scenarioFile])).scenarios[0]!),
      turns: TURNS,
    };
    const file = path.join(dir, 'transcript.json');
    writeFileSync(file, JSON.stringify(transcript));
    writeVariant(dir, 'kettle-refund.yaml', [['mood: 2', 'mood: 3']]);
    const current = scenarioHashOf((await loadLibrary([scenarioFile])).scenarios[0]!)!;

    const refused = runCli(['score', '--scenario', scenarioFile, file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(transcript.scenarioHash!);
    expect(refused.stderr).toContain(current);
    expect(refused.stderr).toContain(scenarioFile);
    expect(refused.stderr).toContain('--allow-changed-scenario');

    const allowed = runCli(['score', '--scenario', scenarioFile, file, '--allow-changed-scenario', '--json']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/^servicesim: warning: .*scoring it anyway/);
    expect(JSON.parse(allowed.stdout).scenario).toBe('kettle-refund');
  });

  it('scores a transcript saved before hashes were kept as before', () => {
    const dir = scratchDir();
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ scenario: 'kettle-refund', turns: TURNS }));
    const result = runCli(['score', '--scenario', path.join(FIXTURES, 'kettle-refund.yaml'), file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a hash that is not one, as bad input', () => {
    const dir = scratchDir();
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ scenarioHash: 'abc', turns: [{ role: 'learner', text: 'Hello' }] }));
    const result = runCli(['score', '--scenario', path.join(FIXTURES, 'kettle-refund.yaml'), file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/at scenarioHash: must be a SHA-256 hash/);
  });
});
