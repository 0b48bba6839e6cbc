/**
 * One view of a scored rehearsal, built once from the score report and the rubric, and rendered by
 * every face ServiceSim has: the debrief card (Teams and the local page), the terminal report, the
 * learner's history and, later, the tutor's pages. Renderers only lay it out; what a level is
 * called, which criteria it evidences and which replies stood out are decided here.
 */
import type { EndReason } from './customer.ts';
import type { RubricDimension } from './rubric-library.ts';
import type { ScoreReport } from './score-report.ts';
import type { Turn } from './transcript.ts';
import { VERDICT_TEXT, type TutorReview } from './tutor-review.ts';

/** An instant as the day learners read it: "30 Nov 2026" (UTC). */
export const calendarDay = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The dimension an authority breach caps (rubrics/dimensions.yaml). */
const AUTHORITY = 'authority';

export const END_REASON_TEXT: Record<EndReason, string> = {
  'learner-ended': 'You ended the rehearsal.',
  agreed: 'The customer accepted your option and the conversation closed.',
  referred: 'The customer accepted your referral.',
  escalated: 'The customer accepted your escalation.',
  'length-limit': 'The rehearsal reached its length limit.',
};

export interface DimensionView {
  id: string;
  name: string;
  level: number | null;
  /** "2/3 (Specific)", or "not applicable". */
  levelText: string;
  /** The qualification criteria it evidences, as "CS17 1.2". */
  criteria: string[];
  evidence: Array<{ turn: number; quote: string; reason: string }>;
  suggestion: string;
  /** Where the tutor changed the scorer's level: why (the level above is then the tutor's). */
  tutorReason?: string;
}

/** The tutor's review, as the learner reads it with their debrief. */
export interface TutorReviewView {
  /** "Ann Tutor, 30 Nov 2026" */
  by: string;
  verdict: string;
  feedback: string;
  nextScenario?: string;
  comments: Array<{ turn: number; quote: string; text: string }>;
}

/** A learner reply that stood out, by how it was levelled on its own. */
export interface ReplyView {
  turn: number;
  quote: string;
  /** The dimensions it showed well, as "listening 3". */
  levels: string[];
  /** Why it is the one to work on: the limit it crossed, or the coaching it earned. */
  why?: string;
}

export interface DebriefView {
  title: string;
  endReason: string;
  breaches: Array<{ turn: number; quote: string; rule: string }>;
  /** Where the tutor set the authority level the breaches capped: what they said, beside the scorer's breaches. */
  breachesReviewed?: string;
  dimensions: DimensionView[];
  commitments: Array<{ turn: number; who: string; what: string; when?: string }>;
  /** The learner's strongest reply and the one to work on, from how each reply was levelled on its own. */
  strongest?: ReplyView;
  weakest?: ReplyView;
  /** "listening 2, questioning 1, …" and any breaches: the one-line summary the history shows. */
  summary: string;
  /** Present once a tutor has reviewed the rehearsal: their levels are the levels above. */
  tutor?: TutorReviewView;
}

export interface DebriefInput {
  title: string;
  report: ScoreReport;
  dimensions: readonly RubricDimension[];
  /** The dimensions to show, in order (the scenario's); default: those in the report. */
  order?: readonly string[];
  endReason?: EndReason | string;
  /** The transcript, to quote the replies that stood out. */
  turns?: readonly Turn[];
  /** The current tutor review, whose levels replace the scorer's (the scorer's stay beside them). */
  review?: TutorReview;
}

export function debriefView({ title, report, dimensions, order, endReason, turns, review }: DebriefInput): DebriefView {
  const shown: DimensionView[] = [];
  for (const id of order ?? Object.keys(report.dimensions)) {
    const score = report.dimensions[id];
    if (!score) continue;
    const dimension = dimensions.find((d) => d.id === id);
    const changed = review?.dimensions[id];
    const level = changed ? changed.level : score.level;
    const levelName = level === null ? undefined : dimension?.levels[level]?.name;
    const asScored = changed ? `, set by your tutor (scored ${score.level === null ? 'not applicable' : `${score.level}/3`})` : '';
    shown.push({
      id,
      name: dimension?.name ?? id,
      level,
      levelText: level === null ? 'not applicable' : `${level}/3${levelName ? ` (${levelName})` : ''}${asScored}`,
      ...(changed ? { tutorReason: changed.reason } : {}),
      criteria: [...new Set(dimension?.criteria.map((c) => `${c.unit} ${c.code}`) ?? [])],
      evidence: score.evidence,
      suggestion: score.suggestion,
    });
  }
  const levels = shown.filter((d) => d.level !== null).map((d) => `${d.id} ${d.level}`);
  const breachNote = report.breaches.length > 0 ? `, ${report.breaches.length} beyond authority` : '';
  const { strongest, weakest } = standouts(report, turns);
  return {
    title,
    endReason: endReason === undefined ? 'The rehearsal ended.' : (END_REASON_TEXT[endReason as EndReason] ?? 'The rehearsal ended.'),
    breaches: report.breaches.map(({ turn, quote, rule }) => ({ turn, quote, rule })),
    ...(report.breaches.length > 0 && review?.dimensions[AUTHORITY]
      ? {
          breachesReviewed: `Your tutor set your authority level to ${review.dimensions[AUTHORITY].level}: ${review.dimensions[AUTHORITY].reason}`,
        }
      : {}),
    dimensions: shown,
    commitments: report.commitments.map(({ turn, who, what, when }) => ({ turn, who, what, ...(when ? { when } : {}) })),
    ...(strongest ? { strongest } : {}),
    ...(weakest ? { weakest } : {}),
    summary: `${levels.join(', ')}${breachNote}`,
    ...(review ? { tutor: tutorView(review, turns) } : {}),
  };
}

function tutorView(review: TutorReview, turns: readonly Turn[] | undefined): TutorReviewView {
  const on = calendarDay(review.at);
  return {
    // Never the tutor's email (their id): a learner knows them by name, or as their tutor.
    by: `${review.reviewer.name ?? 'Your tutor'}, ${on}`,
    verdict: VERDICT_TEXT[review.verdict],
    feedback: review.feedback,
    ...(review.nextScenario ? { nextScenario: review.nextScenario } : {}),
    comments: review.comments.map((c) => ({ turn: c.turn, quote: turns?.[c.turn - 1]?.text ?? '', text: c.text })),
  };
}

/**
 * The replies that stood out. The one to work on is the first that crossed the learner's authority,
 * or else the first that earned coaching. The strongest is, among the rest, the one that showed the
 * most dimensions well (level 2 or 3): a reply that rightly sets out options shows no empathy, so a
 * mean over every dimension would mark the focused reply down.
 */
function standouts(report: ScoreReport, turns?: readonly Turn[]): { strongest?: ReplyView; weakest?: ReplyView } {
  const quote = (turn: number) => turns?.[turn - 1]?.text ?? '';
  const breach = [...report.breaches].sort((a, b) => a.turn - b.turn)[0];
  const coached = report.turns.find((t) => t.hint);
  const weakTurn = breach?.turn ?? coached?.turn;
  const why = breach ? `beyond your authority: ${breach.rule}` : coached?.hint?.text;
  const weakest: ReplyView | undefined =
    weakTurn === undefined ? undefined : { turn: weakTurn, quote: quote(weakTurn), levels: [], ...(why ? { why } : {}) };
  const flagged = new Set([...report.breaches.map((b) => b.turn), ...report.turns.filter((t) => t.hint).map((t) => t.turn)]);
  const best = report.turns
    .filter((t) => !flagged.has(t.turn))
    .map((t) => ({ turn: t.turn, strengths: Object.entries(t.levels).filter((e): e is [string, number] => e[1] !== null && e[1] >= 2) }))
    .filter((t) => t.strengths.length > 0)
    .sort((a, b) => b.strengths.length - a.strengths.length || total(b.strengths) - total(a.strengths) || a.turn - b.turn)[0];
  const strongest: ReplyView | undefined = best && {
    turn: best.turn,
    quote: quote(best.turn),
    levels: best.strengths.map(([id, level]) => `${id} ${level}`),
  };
  return { ...(strongest ? { strongest } : {}), ...(weakest ? { weakest } : {}) };
}

const total = (levels: ReadonlyArray<[string, number]>) => levels.reduce((sum, [, level]) => sum + level, 0);
