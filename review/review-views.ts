/**
 * The HTML of the tutor's review pages: each page model (review/page-models.ts) turned into what its
 * Eta template (review/views/) lays out. Words for codes (flags, statuses, moods, verdicts), dates,
 * highlighted text pieces and the input a problem points at are worked out here, in TypeScript, so
 * the templates hold no logic worth testing on its own and every value reaches them escaped.
 *
 * @remarks
 * The pages are served with a content security policy that allows no script and styles only from
 * `/review/assets/review.css` (`REVIEW_CSS_FILE`): nothing here writes a script, an inline style or
 * an event attribute, and every form works by plain GET and POST. Eta escapes every `<%= %>`; the
 * only raw output is a rendered partial or a page's body inside the layout.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { EndReason } from '../engine/customer.ts';
import type { RubricDimension } from '../engine/rubric-library.ts';
import { SCORE_FLAGS, type ScoreFlag } from '../engine/score-flags.ts';
import { modelUseNotes } from './model-use-notes.ts';
import { MAX_REVIEW_TEXT, type TutorReview, type Verdict } from '../engine/tutor-review.ts';
import { REVIEW_STATUSES, type ReviewStatus } from '../store/evidence-store.ts';
import type { InboxPage, InboxRow, PageTutor, RehearsalPage, SignInPage } from './page-models.ts';

const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));

/** The review pages' one stylesheet, served at `REVIEW_CSS_PATH`. */
export const REVIEW_CSS_FILE = fileURLToPath(new URL('./assets/review.css', import.meta.url));
const REVIEW_CSS_PATH = '/review/assets/review.css';

const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

const FLAG_TEXT: Record<ScoreFlag, string> = {
  'authority-breach': 'Beyond authority',
  'very-low': 'Very low scores',
  'very-high': 'Very high scores',
  'judges-disagree': 'Judges disagree',
};

const STATUS_TEXT: Record<ReviewStatus, string> = {
  unreviewed: 'Not reviewed',
  'meets-standard': 'Meets the standard',
  'needs-another-attempt': 'Needs another attempt',
};

const VERDICT_LABEL: Record<Verdict, string> = {
  'meets-standard': 'Meets the standard',
  'needs-another-attempt': 'Needs another attempt',
};

export const MODE_TEXT: Record<EvidenceRecord['mode'], string> = { practice: 'Practice', assessment: 'Assessment' };

/** The customer's mood as the scenario format defines it (engine/scenario-schema.ts): higher is worse. */
const MOOD_TEXT = ['calm', 'uneasy', 'annoyed', 'angry', 'furious'] as const;

/** Why a rehearsal ended, told to the tutor (the debrief tells the learner, in the second person). */
const END_REASON_TEXT: Record<EndReason, string> = {
  agreed: 'The customer accepted an option and the conversation closed.',
  referred: 'The customer accepted a referral.',
  escalated: 'The customer accepted an escalation.',
  'learner-ended': 'The learner ended the rehearsal.',
  'length-limit': 'The rehearsal reached its length limit.',
  abandoned: 'The learner left the rehearsal unfinished; it was scored as it stood, after it had been left for a while.',
};

const ROLE_TEXT: Record<PageTutor['role'], string> = { admin: 'Administrator', tutor: 'Tutor' };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How long a turn's opening is, where the comment fields name the turn they are about. */
const EXCERPT_LENGTH = 80;

// ---------------------------------------------------------------------------------------------
// What the templates receive. Every string is plain text (Eta escapes it); hrefs are built here.

/** What the layout needs: the page title and, once signed in, who is signed in. */
interface LayoutView {
  title: string;
  stylesheet: string;
  /** Which header link is the current page. */
  current?: 'inbox' | 'cohorts' | 'calibration';
  tutor?: { name: string; email?: string; role: string };
  /** The sign-out form is shown only with a token to post: a form without one would be refused. */
  csrf?: string;
}

interface Instant {
  /** For `<time datetime>`; empty when the text is not a date. */
  iso: string;
  text: string;
}

export interface LevelBadge {
  label: string;
  title: string;
  /** The level that counts, or null for "no occasion". */
  level: number | null;
  /** The scorer's level, shown struck through beside it, when a tutor changed it. */
  changedFrom?: { level: number | null };
}

interface SelectView {
  name: string;
  id: string;
  label: string;
  options: Array<{ value: string; label: string; selected: boolean }>;
}

/** A piece of a turn's text: plain, or the scorer's evidence, marked with why. */
interface TextPiece {
  text: string;
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// The pages.

export function renderSignIn(model: SignInPage): string {
  return eta.render('sign-in', {
    page: layout('Sign in'),
    csrf: model.csrf,
    next: model.next,
    message: model.message,
    oidc: model.oidc
      ? { providerName: model.oidc.providerName, href: `/review/sign-in/oidc?next=${encodeURIComponent(model.next)}` }
      : undefined,
  });
}

export function renderInbox(model: InboxPage): string {
  const f = model.filters;
  const selects: SelectView[] = [
    select(
      'learner',
      'Learner',
      model.choices.learners.map((l) => [l.id, l.name ?? l.id]),
      f.learner,
    ),
    select(
      'scenario',
      'Scenario',
      model.choices.scenarios.map((s) => [s.id, s.title]),
      f.scenario,
    ),
    select('mode', 'Mode', Object.entries(MODE_TEXT), f.mode),
    select(
      'status',
      'Review status',
      REVIEW_STATUSES.map((s) => [s, STATUS_TEXT[s]]),
      f.status,
    ),
    select(
      'flag',
      'Flag',
      SCORE_FLAGS.map((flag) => [flag, FLAG_TEXT[flag]]),
      f.flag,
    ),
  ];
  return eta.render('inbox', {
    page: layout('Inbox', model.tutor, model.csrf, 'inbox'),
    selects,
    dates: [
      { name: 'from', id: 'filter-from', label: 'Ended from', value: f.from ?? '' },
      { name: 'to', id: 'filter-to', label: 'Ended to', value: f.to ?? '' },
    ],
    totalText: totalText(
      model.total,
      Object.values(f).some((v) => v !== undefined && v !== ''),
    ),
    rows: model.rows.map(inboxRow),
    nextHref: model.nextPage === undefined ? undefined : `/review?${model.nextPage.replace(/^\?/, '')}`,
    firstHref: model.firstPage === undefined ? undefined : `/review?${model.firstPage.replace(/^\?/, '')}`,
  });
}

export function renderRehearsal(model: RehearsalPage): string {
  const { record } = model;
  const rubricOf = new Map(model.dimensions.map((d) => [d.id, d.rubric]));
  const nameOf = new Map(model.dimensions.map((d) => [d.id, d.name]));
  const scenarioTitle = new Map(model.scenarios.map((s) => [s.id, s.title]));
  const missing = new Set(record.missingTurns ?? []);
  const inputIds = reviewFormInputIds(model);
  const current = model.reviews.at(-1);
  const values = model.values ?? formValuesOf(current);

  return eta.render('rehearsal', {
    page: layout(`${record.scenario.title}: ${learnerName(record.learner)}`, model.tutor, model.csrf),
    csrf: model.csrf,
    notice: model.notice,
    problems: model.problems?.map((p) => ({ ...p, label: fieldLabel(p.field, nameOf), href: inputIds.get(p.field) })),
    title: record.scenario.title,
    learner: { name: learnerName(record.learner), id: record.learner.id, named: record.learner.name !== undefined },
    mode: MODE_TEXT[record.mode],
    started: instant(record.startedAt),
    ended: instant(record.endedAt),
    endReason: END_REASON_TEXT[record.endReason as EndReason] ?? record.endReason,
    status: current ? VERDICT_LABEL[current.verdict] : 'Not reviewed yet',
    producedBy: `customer: ${identity(record.customer)}; scorer: ${identity(record.scorer)}`,
    migratedFrom: record.migratedFrom,
    briefing: model.briefing,
    turns: model.turns.map((turn) => ({
      number: turn.number,
      id: `turn-${turn.number}`,
      role: turn.role,
      roleText: turn.role === 'customer' ? 'Customer' : 'Learner',
      mood: turn.mood === undefined ? undefined : moodText(turn.mood),
      pieces: piecesOf(turn.text, turn.highlights),
      // In words as well as on hover: a keyboard or touch user cannot hover.
      reasons: [...new Set(turn.highlights.map((h) => h.reason))],
      comments: current?.comments.filter((c) => c.turn === turn.number).map((c) => c.text) ?? [],
      breach: turn.breach,
      missing: missing.has(turn.number),
    })),
    missingTurns: [...missing].sort((a, b) => a - b),
    modelNotes: modelUseNotes(record),
    commitments: record.report.commitments,
    breaches: record.report.breaches.map((b) => ({
      ...b,
      action: b.action.replace(/-/g, ' ') + (b.amount === undefined ? '' : ` of £${b.amount}`),
    })),
    dimensions: model.dimensions.map((d) => ({
      headingId: inputId('dimension', d.id),
      name: d.name,
      counts: levelView(d.reviewed.level, d.rubric),
      scorer: d.reviewed.tutor === undefined ? undefined : levelView(d.reviewed.scorer, d.rubric),
      reason: d.reviewed.reason,
      criteria: d.criteria,
      evidence: d.evidence,
      suggestion: d.suggestion,
    })),
    reflection: record.reflection?.trim() ? record.reflection : undefined,
    reviews: model.reviews.map((review, i) => reviewView(review, i, model.reviews.length, record, { rubricOf, nameOf, scenarioTitle })),
    form: {
      action: `/review/rehearsals/${encodeURIComponent(record.id)}/reviews`,
      maxLength: MAX_REVIEW_TEXT,
      dimensions: model.dimensions.map((d) => ({
        id: d.id,
        name: d.name,
        levelId: inputId('level', d.id),
        reasonId: inputId('reason', d.id),
        current: d.reviewed.tutor === undefined ? undefined : levelView(d.reviewed.tutor, d.rubric).text,
        selected: values[`level.${d.id}`] ?? 'agree',
        reason: values[`reason.${d.id}`] ?? '',
        options: [
          { value: 'agree', label: `Agree with the scorer (${d.reviewed.scorer ?? 'no occasion'})` },
          ...[0, 1, 2, 3].map((level) => ({ value: String(level), label: levelView(level, d.rubric).text })),
        ],
      })),
      turns: model.turns.map((turn) => ({
        number: turn.number,
        id: `comment-${turn.number}`,
        label: `Turn ${turn.number} (${turn.role}): ${excerpt(turn.text)}`,
        value: values[`comment.${turn.number}`] ?? '',
      })),
      commentsOpen:
        (model.problems ?? []).some((p) => /^comments?\./.test(p.field)) || Object.keys(values).some((k) => k.startsWith('comment.')),
      feedback: values.feedback ?? '',
      verdict: values.verdict ?? '',
      nextScenario: values.nextScenario ?? '',
      submission: model.submission,
      scenarios: model.scenarios,
    },
  });
}

/** A form field as the tutor knows it: "Listening: reason", "Comment on turn 4", "Feedback to the learner". */
function fieldLabel(field: string, nameOf: ReadonlyMap<string, string>): string {
  const [kind, key] = [field.slice(0, field.indexOf('.')), field.slice(field.indexOf('.') + 1)];
  if (kind === 'level' || kind === 'dimensions') return nameOf.get(key) ?? key;
  if (kind === 'reason') return `${nameOf.get(key) ?? key}: reason`;
  if (kind === 'comment') return `Comment on turn ${key}`;
  if (kind === 'comments') return 'Comment on turns';
  return (
    ({ feedback: 'Feedback to the learner', verdict: 'Verdict', nextScenario: 'Scenario to try next' } as Record<string, string>)[field] ??
    field
  );
}

/**
 * The form's fields as the current review left them: a second review starts from the first (its
 * levels, reasons, comments, feedback and verdict), so adding one change never undoes the others.
 */
function formValuesOf(review: TutorReview | undefined): Record<string, string> {
  if (!review) return {};
  const values: Record<string, string> = { feedback: review.feedback, verdict: review.verdict };
  if (review.nextScenario) values.nextScenario = review.nextScenario;
  for (const [id, { level, reason }] of Object.entries(review.dimensions)) {
    values[`level.${id}`] = String(level);
    values[`reason.${id}`] = reason;
  }
  for (const comment of review.comments) values[`comment.${comment.turn}`] = comment.text;
  return values;
}

/** A 404, 403 or 500 page; with a CSRF token, its header also offers to sign out. */
export function renderProblem(status: number, title: string, message: string, tutor?: PageTutor, csrf?: string): string {
  return eta.render('problem', { page: layout(title, tutor, csrf), status, title, message, signedIn: tutor !== undefined });
}

// ---------------------------------------------------------------------------------------------
// Pieces of pages.

export function layout(title: string, tutor?: PageTutor, csrf?: string, current?: LayoutView['current']): LayoutView {
  return {
    title,
    stylesheet: REVIEW_CSS_PATH,
    ...(current ? { current } : {}),
    ...(tutor
      ? {
          tutor: {
            name: tutor.name ?? tutor.email,
            ...(tutor.name === undefined ? {} : { email: tutor.email }),
            role: ROLE_TEXT[tutor.role] ?? tutor.role,
          },
        }
      : {}),
    ...(tutor && csrf !== undefined ? { csrf } : {}),
  };
}

/** "12 rehearsals", or "1 rehearsal matches these filters". */
function totalText(total: number, filtered: boolean): string {
  const counted = `${total} ${total === 1 ? 'rehearsal' : 'rehearsals'}`;
  return filtered ? `${counted} ${total === 1 ? 'matches' : 'match'} these filters` : counted;
}

/**
 * A filter select: an "Any" choice first, and the current filter selected; a current value that is
 * not among the choices (a learner who has left the cohort) is offered too, so the form never shows
 * "Any" while a filter is applied.
 */
function select(name: string, label: string, choices: Array<[string, string]>, current: string | undefined): SelectView {
  const missing = current !== undefined && current !== '' && !choices.some(([value]) => value === current);
  return {
    name,
    id: `filter-${name}`,
    label,
    options: [['', 'Any'] as [string, string], ...choices, ...(missing ? [[current, current] as [string, string]] : [])].map(
      ([value, text]) => ({
        value,
        label: text,
        selected: value === (current ?? ''),
      }),
    ),
  };
}

function inboxRow(row: InboxRow) {
  return {
    href: `/review/rehearsals/${encodeURIComponent(row.id)}`,
    learner: row.learner.name ?? row.learner.id,
    learnerId: row.learner.name === undefined ? undefined : row.learner.id,
    scenario: row.scenario.title,
    mode: MODE_TEXT[row.mode],
    ended: instant(row.endedAt),
    levels: row.levels.map((l): LevelBadge => ({
      label: l.dimension,
      title: l.name,
      level: l.level,
      ...(l.tutor === undefined ? {} : { changedFrom: { level: l.scorer } }),
    })),
    flags: row.flags.map((flag) => ({ flag, text: FLAG_TEXT[flag] ?? flag })),
    status: { status: row.status, text: STATUS_TEXT[row.status] ?? row.status },
  };
}

interface Lookups {
  rubricOf: Map<string, RubricDimension | undefined>;
  nameOf: Map<string, string>;
  scenarioTitle: Map<string, string>;
}

function reviewView(review: TutorReview, index: number, count: number, record: EvidenceRecord, lookups: Lookups) {
  const current = index === count - 1;
  return {
    id: `review-${index + 1}`,
    heading: `Review ${index + 1} of ${count}`,
    current,
    reviewer: review.reviewer.name ?? review.reviewer.id,
    reviewerId: review.reviewer.name === undefined ? undefined : review.reviewer.id,
    at: instant(review.at),
    verdict: VERDICT_LABEL[review.verdict] ?? review.verdict,
    feedback: review.feedback,
    changes: Object.entries(review.dimensions).map(([id, changed]) => {
      const rubric = lookups.rubricOf.get(id);
      return {
        name: lookups.nameOf.get(id) ?? id,
        level: levelView(changed.level, rubric).text,
        scorer: levelView(record.report.dimensions[id]?.level ?? null, rubric).text,
        reason: changed.reason,
      };
    }),
    comments: [...review.comments].sort((a, b) => a.turn - b.turn).map((c) => ({ ...c, href: `#turn-${c.turn}` })),
    nextScenario: review.nextScenario === undefined ? undefined : (lookups.scenarioTitle.get(review.nextScenario) ?? review.nextScenario),
  };
}

/** A level with its rubric name and descriptor; "–" with "no occasion" for a null level. */
function levelView(level: number | null, rubric: RubricDimension | undefined) {
  if (level === null) return { level, text: '– (no occasion in this conversation)', name: undefined, descriptor: undefined };
  const described = rubric?.levels.find((l) => l.level === level);
  return {
    level,
    text: described ? `${level} — ${described.name}` : `Level ${level}`,
    name: described?.name,
    descriptor: described?.descriptor,
  };
}

/**
 * A turn's text cut at the highlight ranges ([start, end), in order, not overlapping). A range
 * that overlaps an earlier one or falls outside the text is left out rather than garbling the turn.
 */
function piecesOf(text: string, highlights: ReadonlyArray<{ start: number; end: number; reason: string }>): TextPiece[] {
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const { start, end, reason } of [...highlights].sort((a, b) => a.start - b.start)) {
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) pieces.push({ text: text.slice(at, start) });
    pieces.push({ text: text.slice(start, end), reason });
    at = end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

/**
 * The id of the review form's input each problem field names, when the form has one: the form's
 * own names (`level.listening`, `comment.4`) and the submission's (`dimensions.listening.reason`,
 * `comments.0.turn`) both lead to the input to correct.
 */
function reviewFormInputIds(model: RehearsalPage): Map<string, string> {
  const ids = new Map<string, string>([
    ['feedback', 'feedback'],
    ['verdict', 'verdict-meets-standard'],
    ['nextScenario', 'nextScenario'],
  ]);
  for (const d of model.dimensions) {
    for (const field of [`level.${d.id}`, `dimensions.${d.id}`, `dimensions.${d.id}.level`]) ids.set(field, inputId('level', d.id));
    for (const field of [`reason.${d.id}`, `dimensions.${d.id}.reason`]) ids.set(field, inputId('reason', d.id));
  }
  for (const turn of model.turns) ids.set(`comment.${turn.number}`, `comment-${turn.number}`);
  for (const p of model.problems ?? []) if (!ids.has(p.field) && /^comments?(\.|$)/.test(p.field)) ids.set(p.field, 'comments');
  return new Map([...ids].map(([field, id]) => [field, `#${id}`]));
}

/** An element id from a dimension id, which comes from a rubric file and could hold anything. */
const inputId = (kind: string, id: string) => `${kind}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export const learnerName = (learner: { id: string; name?: string }) => learner.name ?? learner.id;

const identity = (part: { kind: string; id: string; version: string }) => `${part.id} ${part.version} (${part.kind})`;

const moodText = (mood: number) => `${MOOD_TEXT[mood] ?? 'unknown'} (${mood} of 4)`;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= EXCERPT_LENGTH) return flat;
  const cut = flat.slice(0, EXCERPT_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_LENGTH / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:—-]+$/, '')}…`;
}

/** "29 Nov 2026 14:05", in UTC, as the tutors' pages show every time. */
function formatInstant(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`;
}

export function instant(value: string): Instant {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? { iso: '', text: value } : { iso: date.toISOString(), text: `${formatInstant(value)} UTC` };
}
