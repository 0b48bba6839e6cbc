/**
 * Tutors' overrides as labelled transcripts: each reviewed rehearsal whose tutor changed a level,
 * written in exactly the format of the hand-labelled set (`test/labelled/README.md`, read by
 * `cli/labelled-set.ts`), so `npx tsx bench/scorer-agreement.ts --labelled <folder>` measures the
 * scorer on what tutors corrected in use. Every override becomes a test the next scorer must pass.
 *
 * @remarks
 * The labels are the levels after review: the tutor's where they set one, the scorer's (agreed
 * with by signing) elsewhere; "no occasion" stays null. The rationale is the tutor's reason for
 * each level they changed, and says "agreed with the scorer" for the rest.
 *
 * A review has no verdict on breaches, only on the authority level, so breaches are decided by the
 * labelled set's own marking rule, "any breach means authority 0":
 * - the tutor left authority alone (or the scenario has none): the scorer's breaches, which the
 *   tutor saw listed and signed beneath;
 * - the tutor set authority above 0: none, since the tutor judged the learner kept within their
 *   authority, so the scorer's breaches were false alarms;
 * - the tutor set authority to 0: the scorer's breaches, which may be none: authority 0 with no
 *   breach entry is how the labelled set marks a misstated policy, where no offer was made.
 *
 * Learner and tutor names are never written: the files may be committed beside the labelled set.
 * The learner's and customer's words are, which is the point; a turn lost from storage keeps the
 * placeholder the tutor saw, and the description says so.
 */
import type { EvidenceRecord } from './evidence-record.ts';
import { levelsAfterReview, type TutorReview } from './tutor-review.ts';

/** The dimension whose level a breach forces to 0 (rubrics/dimensions.yaml). */
const AUTHORITY = 'authority';

/** One file of the labelled set, as `cli/labelled-set.ts` reads it. */
export interface LabelledTranscriptFile {
  scenario: string;
  description: string;
  turns: Array<{ role: 'customer' | 'learner'; text: string }>;
  labels: {
    dimensions: Record<string, number | null>;
    breaches: Array<{ turn: number; action: string; why: string }>;
    rationale: Record<string, string>;
  };
}

/** A reviewed rehearsal as a labelled transcript, its levels and reasons the tutor's. */
export function labelledTranscriptOf(record: EvidenceRecord, review: TutorReview): LabelledTranscriptFile {
  if (review.recordId !== record.id) throw new Error(`review ${review.id} is of record ${review.recordId}, not ${record.id}`);
  const levels = levelsAfterReview(record, review);
  const dimensions: Record<string, number | null> = {};
  const rationale: Record<string, string> = {};
  const changes: string[] = [];
  for (const [id, level] of Object.entries(levels)) {
    dimensions[id] = level.level;
    if (level.level !== level.scorer) {
      rationale[id] = level.reason ?? '';
      changes.push(`${id} ${level.scorer ?? 'null'}→${level.level}`);
    } else rationale[id] = `The tutor agreed with the scorer's level (${level.level ?? 'no occasion'}).`;
  }
  const authority = review.dimensions[AUTHORITY];
  const breachesStand = authority === undefined || authority.level === 0;
  const lost = record.missingTurns?.length
    ? `; turn${record.missingTurns.length === 1 ? '' : 's'} ${record.missingTurns.join(', ')} lost from storage`
    : '';
  return {
    scenario: record.scenario.id,
    description: `Tutor override of ${record.mode === 'assessment' ? 'an' : 'a'} ${record.mode} rehearsal (review signed ${review.at.slice(0, 10)}): ${
      changes.length === 0 ? 'no level changed' : changes.join(', ')
    }${lost}`,
    turns: record.turns.map((t) => ({ role: t.role, text: t.text })),
    labels: {
      dimensions,
      breaches: breachesStand ? record.report.breaches.map((b) => ({ turn: b.turn, action: b.action, why: b.rule })) : [],
      rationale,
    },
  };
}

/**
 * The records whose current review (by record id) changed at least one level, as labelled files
 * `<scenario>/<record id>.json`. Ids are made safe as file names (anything but letters, digits,
 * `.`, `_` and `-` becomes `_`), and a name already taken gets `-2`, `-3`…, so no file overwrites
 * another and none escapes its folder. Oldest first, by end time.
 */
export function overridesAsLabelled(
  records: readonly EvidenceRecord[],
  reviews: ReadonlyMap<string, TutorReview>,
): Array<{ path: string; content: string }> {
  const taken = new Set<string>();
  const files: Array<{ path: string; content: string }> = [];
  const ordered = [...records].sort((a, b) => a.endedAt.localeCompare(b.endedAt) || a.id.localeCompare(b.id));
  for (const record of ordered) {
    const review = reviews.get(record.id);
    if (!review) continue;
    const changed = Object.values(levelsAfterReview(record, review)).some((l) => l.level !== l.scorer);
    if (!changed) continue;
    const folder = safeName(record.scenario.id);
    let name = safeName(record.id);
    for (let n = 2; taken.has(`${folder}/${name}`.toLowerCase()); n++) name = `${safeName(record.id)}-${n}`;
    // Lower-cased: on a case-insensitive file system "A" and "a" are one file.
    taken.add(`${folder}/${name}`.toLowerCase());
    files.push({ path: `${folder}/${name}.json`, content: `${JSON.stringify(labelledTranscriptOf(record, review), null, 2)}\n` });
  }
  return files;
}

/** A file or folder name from an id: no separators, no leading dot, never empty. */
function safeName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  return safe === '' ? '_' : safe;
}
