/**
 * `servicesim chat` and `servicesim score` through the real binary: a typed rehearsal with its
 * report and saved transcript, the documented JSON, and one clear line for each kind of bad input.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, scratchDir } from './broken-file.ts';
import { runCli } from './run-cli.ts';
import { openSqliteDatabase } from '../store/sqlite-database.ts';
import { SqliteEvidenceStore } from '../store/sqlite-evidence-store.ts';

const KETTLE_FILE = path.join(FIXTURES, 'kettle-refund.yaml');

/** Writes a transcript into the current test's own folder (removed when the test finishes). */
function transcriptFile(data: unknown): string {
  const file = path.join(scratchDir(), 'transcript.json');
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

const turns = [
  { role: 'customer', text: 'This kettle packed in after ten days. I want it sorted.' },
  { role: 'learner', text: "I'm sorry, that's frustrating. What happens when you switch it on?" },
  { role: 'customer', text: 'The light comes on but it never heats.' },
  { role: 'learner', text: "I'll refund you £60 today, I guarantee it." },
];

describe('servicesim chat', () => {
  it('plays a scenario from typed lines, then prints the score report and saves the transcript', () => {
    const data = scratchDir();
    const input = [
      "I'm so sorry, that sounds frustrating. What happens when you switch it on?",
      'I can replace it today, would you like that?',
      '/end',
      '',
    ].join('\n');
    const result = runCli(['chat', '--scenario', KETTLE_FILE], { input, env: { DATA_DIR: data } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Mr Tom Ellis: This kettle packed in after ten days.');
    expect(result.stdout).toContain('The light comes on but it never heats the water.');
    expect(result.stdout).toMatch(/Listening and understanding: \d\/3/);
    expect(result.stdout).toContain('COMMITMENTS MADE');
    const saved = readdirSync(path.join(data, 'transcripts'));
    expect(saved).toHaveLength(1);
    const transcript = JSON.parse(readFileSync(path.join(data, 'transcripts', saved[0]!), 'utf8'));
    expect(transcript.scenario).toBe('kettle-refund');
    expect(transcript.turns.filter((t: { role: string }) => t.role === 'learner')).toHaveLength(2);
    expect(result.stdout).toContain(`Transcript saved to`);
  });

  it('coaches in practice mode, asks for a reflection and keeps the evidence as the bot does; score reads the record back', async () => {
    const data = scratchDir();
    const input = ['Calm down, you probably broke it.', '/end', 'Next time I would acknowledge first.', ''].join('\n');
    const result = runCli(['chat', '--scenario', KETTLE_FILE], { input, env: { DATA_DIR: data } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('💡 Coaching (defusing)');
    expect(result.stdout).toMatch(/A short reflection for your evidence/);
    expect(result.stdout).toMatch(/Evidence kept in SQLite .*, with your reflection/);

    const db = openSqliteDatabase(path.join(data, 'servicesim.db'));
    const evidence = new SqliteEvidenceStore(db);
    const [record] = (await evidence.list({ limit: 10 })).records;
    db.close();
    expect(record).toMatchObject({
      scenario: { id: 'kettle-refund' },
      mode: 'practice',
      reflection: 'Next time I would acknowledge first.',
      learner: { id: expect.stringMatching(/^terminal\//) },
      scorer: { id: 'rules-scorer' },
    });
    expect(record!.turns.filter((t) => t.role === 'learner').map((t) => t.text)).toEqual(['Calm down, you probably broke it.']);

    // The record itself scores as its transcript does.
    const file = transcriptFile(record);
    const scored = runCli(['score', '--scenario', KETTLE_FILE, file]);
    expect(scored.code).toBe(0);
    expect(scored.stdout).toContain('Score report — A kettle that stopped working');
    expect(scored.stdout).toMatch(/Listening and understanding: \d\/3/);
  });

  it('says so when the store is out of reach, and keeps the transcript all the same', () => {
    const data = scratchDir();
    const result = runCli(['chat', '--scenario', KETTLE_FILE], {
      input: 'Hello, what happened?\n/end\nskip\n',
      // Nothing listens on port 1: the evidence cannot be kept.
      env: { DATA_DIR: data, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Could not keep the evidence in the store \(Redis at 127\.0\.0\.1:1 did not answer/);
    expect(readdirSync(path.join(data, 'transcripts'))).toHaveLength(1);
  }, 60_000);

  it('gives no hints in assessment mode, and keeps no reflection when skipped', async () => {
    const data = scratchDir();
    const input = ['Calm down, you probably broke it.', '/end', 'skip', ''].join('\n');
    const result = runCli(['chat', '--scenario', KETTLE_FILE, '--mode', 'assessment'], { input, env: { DATA_DIR: data } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('Coaching');
    const db = openSqliteDatabase(path.join(data, 'servicesim.db'));
    const [record] = (await new SqliteEvidenceStore(db).list({ limit: 10 })).records;
    db.close();
    expect(record).toMatchObject({ mode: 'assessment' });
    expect(record!.reflection).toBeUndefined();
  });

  it('lets the learner choose from the list by number', () => {
    const result = runCli(['chat'], { input: '6\n/end\n', env: { DATA_DIR: scratchDir() } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Scenarios:\n\s+1\. /);
    expect(result.stdout).toContain('nothing to score');
  });

  it('refuses an unknown scenario with one line and exit code 2', () => {
    const result = runCli(['chat', '--scenario', 'no-such-scenario'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('servicesim: unknown scenario "no-such-scenario" (servicesim scenarios lists them)');
  });
});

describe('servicesim score', () => {
  it('prints the documented JSON: levels, evidence, suggestions, breaches, commitments', () => {
    const result = runCli(['score', '--scenario', KETTLE_FILE, transcriptFile({ turns }), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report.dimensions).sort()).toEqual(['authority', 'listening', 'negotiation', 'questioning']);
    for (const d of Object.values(report.dimensions) as Array<Record<string, unknown>>) {
      expect(d).toEqual({ level: expect.any(Number), max: 3, evidence: expect.any(Array), suggestion: expect.any(String) });
    }
    expect(report.dimensions.authority.level).toBe(0);
    expect(report.breaches.map((b: { turn: number; action: string }) => [b.turn, b.action])).toEqual([
      [4, 'refund'],
      [4, 'guarantee'],
    ]);
    expect(report.commitments).toEqual([expect.objectContaining({ turn: 4, when: 'today' })]);
  });

  it('takes the scenario from the transcript file, and prints a readable report without --json', () => {
    const result = runCli(['score', transcriptFile({ scenario: KETTLE_FILE, turns })]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('AUTHORITY BREACHES (blockers)');
    expect(result.stdout).toMatch(/Working within authority, policy and law: 0\/3/);
  });

  // The arguments are built inside each test, so the transcript files are made in, and removed
  // with, the test's own folder rather than at collection time, when no test could clean them up.
  it.each<[string, () => string[], RegExp]>([
    ['a missing file', () => ['score', '--scenario', KETTLE_FILE, '/no/such/file.json'], /no transcript file at \/no\/such\/file\.json/],
    ['invalid JSON', () => ['score', '--scenario', KETTLE_FILE, transcriptFile('{"turns": [')], /is not valid JSON/],
    ['an unknown scenario', () => ['score', '--scenario', 'nope', transcriptFile({ turns })], /unknown scenario "nope"/],
    ['an empty transcript', () => ['score', '--scenario', KETTLE_FILE, transcriptFile({ turns: [] })], /the transcript has no turns/],
    [
      'no learner turns',
      () => ['score', '--scenario', KETTLE_FILE, transcriptFile({ turns: turns.slice(0, 1) })],
      /has no learner turns to score/,
    ],
    [
      'a 1 MB turn',
      () => ['score', '--scenario', KETTLE_FILE, transcriptFile({ turns: [{ role: 'learner', text: 'x'.repeat(1024 * 1024) }] })],
      /a turn is longer than 8000 characters/,
    ],
    [
      'a wrong role',
      () => ['score', '--scenario', KETTLE_FILE, transcriptFile({ turns: [{ role: 'advisor', text: 'hi' }] })],
      /at turns\.0\.role/,
    ],
    ['no scenario at all', () => ['score', transcriptFile({ turns })], /say which scenario/],
  ])('gives one clear line and exit code 2 for %s', (_name, args, message) => {
    const result = runCli(args());
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
