/**
 * `servicesim validate`, `servicesim scenarios` and usage errors, through the real binary: exit
 * codes, every problem located as file:line:column, and the documented listing.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, KETTLE, lineOf, scratchDir, writeVariant } from './broken-file.ts';
import { runCli } from './run-cli.ts';

describe('servicesim validate', () => {
  it('exits 0 for the shipped rubrics folder', () => {
    const result = runCli(['validate']);
    expect(result.stdout).toMatch(/^valid: \d+ scenario files, 1 dimensions file, 1 units file$/m);
    expect(result.code).toBe(0);
  });

  it('exits 0 for a valid file given by path', () => {
    const result = runCli(['validate', path.join(FIXTURES, 'kettle-refund.yaml')]);
    expect(result.code).toBe(0);
  });

  it('prints every problem as file:line:column: path: what — fix, and exits 1', () => {
    const dir = scratchDir();
    writeVariant(dir, 'kettle-refund.yaml', [
      ['mood: 2', 'mood: high'],
      ['      upTo: 40\n    - action: replacement', '      upto: 40\n    - action: replacement'],
    ]);
    const result = runCli(['validate', 'kettle-refund.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter((l) => l.includes('.yaml:'));
    expect(lines).toEqual([
      `kettle-refund.yaml:${lineOf(KETTLE, 'mood: 2')}:9: customer.mood: expected a number, found "high" — write a whole number from 0 to 4 (0 calm, 1 uneasy, 2 annoyed, 3 angry, 4 furious), without quotes`,
      `kettle-refund.yaml:${lineOf(KETTLE, 'upTo: 40')}:7: authority.mayOffer[0].upto: unknown key "upto" — did you mean "upTo"? Keys allowed here: action, upTo, note, form, wordings, onlyIf`,
    ]);
    expect(result.stdout).toMatch(/2 problems in 1 file/);
    expect(result.stderr).toBe('');
  });

  it('fails for a rubric dimension the chosen scorer has no judge for, naming it where it is defined', () => {
    const dir = scratchDir();
    const rubric = readFileSync(path.join('rubrics', 'dimensions.yaml'), 'utf8');
    const rapport = rubric
      .replace(/\n {2}- id: listening\n/, '\n  - id: rapport\n')
      .split('\n  - id: questioning\n')[0]!
      .split('dimensions:\n')[1]!;
    writeFileSync(path.join(dir, 'dimensions.yaml'), `${rubric.trimEnd()}\n${rapport.trimEnd()}\n`);
    copyFileSync(path.join('rubrics', 'units.yaml'), path.join(dir, 'units.yaml'));
    const result = runCli(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /dimensions\.yaml:\d+:\d+: dimensions\[8\]\.id: the rules scorer has no judge for the dimension "rapport", so it would never be scored/,
    );
  });

  it('reports a path that does not exist as a problem, not a crash', () => {
    const result = runCli(['validate', 'no/such/file.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no/such/file.yaml:1:1: no such file or folder');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('checks every file in a folder, broken and valid alike', () => {
    const dir = scratchDir();
    writeVariant(dir, 'kettle-refund.yaml', []);
    writeVariant(dir, 'second.yaml', [
      ['id: kettle-refund', 'id: second'],
      ['difficulty: introductory', 'difficulty: hard'],
    ]);
    const result = runCli(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/second\.yaml:\d+:\d+: difficulty: "hard" is not an allowed value/);
    expect(result.stdout).toMatch(/1 problem in 1 file \(read 2 scenario files/);
  });
});

describe('servicesim scenarios', () => {
  it('lists the shipped scenarios as JSON with the documented fields', () => {
    const result = runCli(['scenarios', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'title', 'problemType', 'resolvable', 'difficulty']);
  });

  it('prints a table with a header and one row per scenario', () => {
    const json = JSON.parse(runCli(['scenarios', '--json']).stdout) as Array<{ id: string }>;
    const table = runCli(['scenarios']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+PROBLEM TYPE\s+RESOLVABLE\s+DIFFICULTY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(json.map((r) => r.id));
  });
});

describe('servicesim usage errors', () => {
  it('exits 2 with one line for an unknown command', () => {
    const result = runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
