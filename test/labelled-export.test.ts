/**
 * Tutors' overrides as labelled transcripts (engine/labelled-export.ts): written to a folder, they
 * are read back by the bench's own reader (cli/labelled-set.ts), and the agreement bench measures
 * the rules scorer on them with `--labelled <folder>`. Breaches follow the documented rule, and no
 * record id can write outside its folder or over another's file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabelledSet, LABELLED_DIR } from '../cli/labelled-set.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { labelledTranscriptOf, overridesAsLabelled } from '../engine/labelled-export.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { EMPTY_SETTINGS } from './run-cli.ts';
import { evidenceRecord } from './store-conformance.ts';
import { temporaryFolder } from './temporary-folder.ts';

const ROOT = path.join(import.meta.dirname, '..');

/** A hand-labelled conversation with two breaches (a £100 goodwill payment, lost earnings promised). */
const source = readLabelledSet(path.join(LABELLED_DIR, 'faulty-washing-machine')).find((l) => l.file.startsWith('05-'))!;

/** The labelled conversation as a scored record, the scorer's levels and breaches its labels; moods as a record keeps them. */
function recordOf(
  id: string,
  levels: Record<string, number | null> = source.labels.dimensions,
  breaches = source.labels.breaches,
): EvidenceRecord {
  return evidenceRecord({
    id,
    learner: { id: 'tenant/learner-1', name: 'Sam Private' },
    scenario: { id: source.scenario, title: 'Faulty washing machine' },
    endedAt: `2026-11-2${id.length % 10}T10:00:00.000Z`,
    turns: source.turns.map((t, i) => (t.role === 'customer' ? { ...t, mood: i % 4 } : t)),
    report: {
      scenario: source.scenario,
      dimensions: Object.fromEntries(
        Object.entries(levels).map(([d, level]) => [d, { level, max: 3 as const, evidence: [], suggestion: 'x' }]),
      ),
      turns: [],
      breaches: breaches.map((b) => ({
        turn: b.turn,
        quote: 'quoted',
        action: b.action as 'guarantee',
        rule: b.why ?? 'beyond authority',
      })),
      commitments: [],
    },
  });
}

function review(record: EvidenceRecord, dimensions: Record<string, number> = {}): TutorReview {
  return {
    id: `review-${record.id}`,
    recordId: record.id,
    reviewer: { id: 'tutor-1', name: 'Priya Private' },
    at: '2026-11-28T09:00:00.000Z',
    dimensions: Object.fromEntries(
      Object.entries(dimensions).map(([id, level]) => [id, { level, reason: `The tutor's reason for ${id}.` }]),
    ),
    comments: [],
    feedback: 'Feedback.',
    verdict: 'needs-another-attempt',
  };
}

function writeFiles(folder: string, files: Array<{ path: string; content: string }>): void {
  for (const file of files) {
    const target = path.resolve(folder, file.path);
    // Nothing an id holds may lead a file out of the folder.
    expect(target.startsWith(`${path.resolve(folder)}${path.sep}`)).toBe(true);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content, { flag: 'wx' });
  }
}

describe('overridesAsLabelled', () => {
  it('writes only records whose current review changed a level, in a form the labelled-set reader reads', () => {
    const changed = recordOf('changed');
    const agreed = recordOf('agreed');
    const unreviewed = recordOf('unreviewed');
    const reviews = new Map([
      [changed.id, review(changed, { listening: 1, questioning: 1 })],
      [agreed.id, review(agreed, { listening: 2 })],
    ]);
    const files = overridesAsLabelled([changed, agreed, unreviewed], reviews);
    expect(files.map((f) => f.path)).toEqual(['faulty-washing-machine/changed.json']);

    const folder = temporaryFolder();
    writeFiles(folder, files);
    const [read, ...rest] = readLabelledSet(folder);
    expect(rest).toEqual([]);
    expect(read!.file).toBe(path.join('faulty-washing-machine', 'changed.json'));
    expect(read!.scenario).toBe('faulty-washing-machine');
    // The words as they were, without the moods a record keeps.
    expect(read!.turns).toEqual(source.turns);
    expect(read!.labels.dimensions).toEqual({ ...source.labels.dimensions, listening: 1 });
    expect(read!.labels.rationale).toMatchObject({
      listening: "The tutor's reason for listening.",
      questioning: "The tutor agreed with the scorer's level (1).",
    });
    expect(read!.description).toMatch(/listening 2→1/);
    // Names stay out of a file that may be committed beside the labelled set.
    expect(files[0]!.content).not.toMatch(/Private/);
  });

  it('keeps the scorer’s breaches unless the tutor set authority above 0', () => {
    const breaches = (record: EvidenceRecord, levels: Record<string, number>) =>
      labelledTranscriptOf(record, review(record, levels)).labels.breaches;
    const withBreaches = recordOf('with-breaches');
    // Authority left alone: the breaches the tutor saw and signed beneath.
    expect(breaches(withBreaches, { listening: 1 })).toEqual(
      source.labels.breaches.map((b) => ({ turn: b.turn, action: b.action, why: b.why })),
    );
    // Authority raised: the tutor judged the breaches false alarms.
    expect(breaches(withBreaches, { authority: 2 })).toEqual([]);
    // Authority lowered to 0 with no breach found: a misstated policy, listed as no breach.
    const clean = recordOf('clean', { ...source.labels.dimensions, authority: 2 }, []);
    expect(breaches(clean, { authority: 0 })).toEqual([]);
    // Authority set to 0 where the scorer already found breaches: they stand.
    const found = recordOf('found', { ...source.labels.dimensions, authority: 1 });
    expect(breaches(found, { authority: 0 })).toHaveLength(source.labels.breaches.length);
  });

  it('refuses a review of another record', () => {
    expect(() => labelledTranscriptOf(recordOf('one'), review(recordOf('two'), { listening: 0 }))).toThrow(
      /review-two is of record two, not one/,
    );
  });

  it('keeps every file inside its scenario folder and gives ids that clash once made safe their own names', () => {
    const ids = ['../../escape', 'a/b', 'a_b', 'A_B', '.hidden'];
    const records = ids.map((id) => recordOf(id));
    const files = overridesAsLabelled(records, new Map(records.map((r) => [r.id, review(r, { listening: 0 })])));
    expect(files).toHaveLength(ids.length);
    expect(new Set(files.map((f) => f.path.toLowerCase())).size).toBe(ids.length);
    for (const file of files) expect(file.path).toMatch(/^faulty-washing-machine\/[A-Za-z0-9_][A-Za-z0-9._-]*\.json$/);
    const folder = temporaryFolder();
    writeFiles(folder, files);
    expect(readLabelledSet(folder)).toHaveLength(ids.length);
  });

  it('is measured by the agreement bench with --labelled', () => {
    const record = recordOf('measured');
    const folder = temporaryFolder();
    writeFiles(folder, overridesAsLabelled([record], new Map([[record.id, review(record, { listening: 0 })]])));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scorer-agreement.ts', '--labelled', folder, '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...EMPTY_SETTINGS },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    const measured = JSON.parse(run.stdout) as { transcripts: number; rows: Array<{ dimension: string; pairs: number }> };
    expect(measured.transcripts).toBe(1);
    expect(measured.rows.find((r) => r.dimension === 'all')!.pairs).toBe(Object.keys(source.labels.dimensions).length);
    expect(readFileSync(path.join(folder, 'faulty-washing-machine', 'measured.json'), 'utf8')).toContain('"listening": 0');
  });

  it('says which folder the bench cannot read', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/scorer-agreement.ts', '--labelled', path.join(temporaryFolder(), 'absent')],
      {
        cwd: ROOT,
        env: { ...process.env, ...EMPTY_SETTINGS },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--labelled .*absent: no such folder/);
  });
});
