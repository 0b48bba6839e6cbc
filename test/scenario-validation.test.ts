import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../engine/problem.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { FIXTURES, KETTLE, lineOf, scratchDir, writeVariant } from './broken-file.ts';

async function problemsFor(edits: Array<[string, string]>, name = 'kettle-refund.yaml') {
  const dir = scratchDir();
  const file = writeVariant(dir, name, edits);
  const library = await loadLibrary([file]);
  return { file, problems: library.problems, text: library.problems.map(formatProblem), library };
}

describe('a valid scenario file', () => {
  it('loads with no problems, defaults filled in', async () => {
    const library = await loadLibrary([path.join(FIXTURES, 'kettle-refund.yaml')]);
    expect(library.problems).toEqual([]);
    expect(library.scenarios.map((s) => s.id)).toEqual(['kettle-refund']);
    expect(library.scenarios[0]!.lines).toEqual({});
    expect(library.scenarios[0]!.facts[0]!.cause).toBe(false);
  });
});

describe('a broken scenario file', () => {
  it('names an unknown key at its line and column, with the key meant', async () => {
    const { problems } = await problemsFor([['      upTo: 40\n    - action: replacement', '      upto: 40\n    - action: replacement']]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      line: lineOf(KETTLE, 'upTo: 40'),
      column: 7,
      path: 'authority.mayOffer[0].upto',
      message: 'unknown key "upto"',
    });
    expect(problems[0]!.fix).toContain('did you mean "upTo"?');
  });

  it('reports a value of the wrong type, saying how to write it', async () => {
    const { problems } = await problemsFor([['mood: 2', 'mood: high']]);
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'customer.mood',
        line: lineOf(KETTLE, 'mood: 2'),
        column: 9,
        message: 'expected a number, found "high"',
      }),
    ]);
  });

  it('reports a value outside a closed list, with the nearest allowed one', async () => {
    const { problems } = await problemsFor([['problemType: reported-by-customer', 'problemType: reported-by-custmer']]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('problemType');
    expect(problems[0]!.fix).toMatch(/^did you mean "reported-by-customer"\? use one of: reported-by-customer, spotted-first/);
  });

  it('reports a missing key at the mapping that should hold it', async () => {
    const { problems } = await problemsFor([['  wants: A working kettle today.\n', '']]);
    expect(problems).toEqual([
      expect.objectContaining({ path: 'customer', message: '"wants" is missing', line: lineOf(KETTLE, 'customer:') }),
    ]);
  });

  it('reports every problem in the file, not just the first', async () => {
    const { problems } = await problemsFor([
      ['mood: 2', 'mood: 9'],
      ['difficulty: introductory', 'difficulty: easy'],
      ['workable: true', 'workable: yes please'],
    ]);
    expect(problems.map((p) => p.path).sort()).toEqual(['customer.mood', 'difficulty', 'options[0].workable']);
  });

  it('gives the line of a YAML syntax error and does not pile shape errors on top', async () => {
    const { problems } = await problemsFor([['title: A kettle that stopped working', 'title: [A kettle']]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.message.startsWith('YAML syntax error'))).toBe(true);
    expect(problems[0]!.line).toBe(lineOf(KETTLE, 'title:'));
  });

  it('rejects a key given twice', async () => {
    const { problems } = await problemsFor([['difficulty: introductory', 'difficulty: introductory\ndifficulty: advanced']]);
    expect(problems[0]!.message).toMatch(/YAML syntax error: Map keys must be unique/);
    expect(problems[0]!.fix).toMatch(/each key may appear once/);
  });

  it('refuses an empty file and an oversized one with one clear problem each', async () => {
    const dir = scratchDir();
    writeFileSync(path.join(dir, 'empty.yaml'), '');
    writeFileSync(path.join(dir, 'huge.yaml'), `id: huge\nsummary: ${'x'.repeat(600 * 1024)}\n`);
    const { problems } = await loadLibrary([dir]);
    expect(problems.map((p) => [path.basename(p.file), p.message])).toEqual([
      ['empty.yaml', 'the file is empty'],
      ['huge.yaml', 'the file is larger than 512 KB'],
    ]);
  });
});

describe('cross-references', () => {
  it('rejects an unknown rubric dimension, suggesting the one meant', async () => {
    const { problems } = await problemsFor([['[listening, questioning', '[listening, questionning']]);
    expect(problems).toEqual([expect.objectContaining({ path: 'dimensions[1]', message: 'unknown rubric dimension "questionning"' })]);
    expect(problems[0]!.fix).toMatch(/^did you mean "questioning"\?/);
  });

  it('rejects an option that costs more than the learner may offer, with no approval route', async () => {
    const { problems } = await problemsFor([['    amount: 25\n    description: Refund', '    amount: 60\n    description: Refund']]);
    expect(problems).toEqual([expect.objectContaining({ path: 'options[0].amount' })]);
    expect(problems[0]!.message).toBe(
      'option "refund" costs £60, more than the £40 the learner may offer for refund, with no approval route',
    );
  });

  it('accepts the same option once an approval route exists for it', async () => {
    const { problems } = await problemsFor([
      ['    amount: 25\n    description: Refund', '    amount: 60\n    description: Refund'],
      [
        '  needsApproval:\n',
        '  needsApproval:\n    - action: refund\n      above: 40\n      approver: Duty manager\n      how: Ring extension 20.\n',
      ],
    ]);
    expect(problems).toEqual([]);
  });

  it('rejects an option the learner must never offer', async () => {
    const { problems } = await problemsFor([['    action: replacement\n    amount: 25', '    action: guarantee\n    amount: 25']]);
    expect(problems).toEqual([expect.objectContaining({ path: 'options[1].action' })]);
    expect(problems[0]!.message).toMatch(/authority.never forbids/);
  });

  it('rejects a cause revealed by a fact that does not exist, and a cause fact not marked', async () => {
    const { problems } = await problemsFor([['revealedBy: [fault]', 'revealedBy: [faults, bought-when]']]);
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['facts[0].cause', 'fact "bought-when" reveals the cause but is not marked as part of it'],
      ['cause.revealedBy[0]', 'no fact has the id "faults"'],
    ]);
  });

  it('rejects a fact that no question topic can reveal', async () => {
    const { problems } = await problemsFor([['topics: [what happens, fault, light, switch on]', 'topics: [what is it]']]);
    expect(problems).toEqual([expect.objectContaining({ path: 'facts[1].topics[0]' })]);
    expect(problems[0]!.message).toMatch(/no question can reveal this fact/);
  });

  it('requires a reason and sources of help when a scenario cannot be resolved', async () => {
    const { problems } = await problemsFor([['resolvable: true', 'resolvable: false']]);
    expect(problems.map((p) => p.message)).toEqual([
      'a scenario that cannot be resolved must say why',
      'a scenario that cannot be resolved needs an external source of help to refer to',
      'a scenario that cannot be resolved must assess "unresolved"',
    ]);
  });

  it('rejects the superseded Sale of Goods Act in favour of the Consumer Rights Act 2015', async () => {
    const { problems } = await problemsFor([['Consumer Rights Act 2015, short-term', 'Sale of Goods Act 1979, short-term']]);
    expect(problems).toEqual([expect.objectContaining({ path: 'policy[0].title' })]);
    expect(problems[0]!.fix).toMatch(/Consumer Rights Act 2015/);
  });

  it('requires the id to match the file name', async () => {
    const { problems } = await problemsFor([], 'kettle.yaml');
    expect(problems).toEqual([
      expect.objectContaining({ path: 'id', message: 'the id "kettle-refund" differs from the file name "kettle.yaml"' }),
    ]);
  });

  it('rejects two files with the same scenario id and leaves the second out', async () => {
    const dir = scratchDir();
    writeVariant(dir, 'kettle-refund.yaml', []);
    const nested = path.join(dir, 'copy');
    (await import('node:fs')).mkdirSync(nested);
    writeVariant(nested, 'kettle-refund.yaml', []);
    const library = await loadLibrary([dir]);
    expect(library.problems).toEqual([
      expect.objectContaining({ path: 'id', message: expect.stringMatching(/already used by .*kettle-refund.yaml/) }),
    ]);
    expect(library.scenarios).toHaveLength(1);
  });
});

describe('files that are easy to mistake or to break', () => {
  it('checks a scenario missing its id as a scenario, with one problem', async () => {
    const { problems, library } = await problemsFor([['id: kettle-refund\n', '']]);
    expect(problems).toEqual([expect.objectContaining({ path: '', message: '"id" is missing' })]);
    expect(library.rubricFiles.every((f) => !f.includes('kettle'))).toBe(true);
  });

  it('reports a broken YAML alias as a problem on its file instead of stopping', async () => {
    const { problems } = await problemsFor([['title: A kettle that stopped working', 'title: *nowhere']]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/YAML/);
  });
});
