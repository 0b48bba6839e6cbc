/**
 * One view of a scored rehearsal, built once from the score report and the rubric, and rendered by
 * every face ServiceSim has: the debrief card (Teams and the local page), the terminal report, the
 * learner's history and, later, the tutor's pages. Renderers only lay it out; what a level is
 * called, which criteria it evidences and which replies stood out are decided here.
 */
import type { EndReason } from './customer.ts';
import { hiddenPicture, type HiddenPicture } from './hidden-picture.ts';
import { modelLine } from './model-lines.ts';
import type { RubricDimension } from './rubric-library.ts';
import type { Scenario } from './scenario-schema.ts';
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
  abandoned: 'You left this rehearsal unfinished, so it was scored as it stood and kept as abandoned.',
};

export interface DimensionView {
  id: string;
  name: string;
  level: number | null;
  /** "2/3 (Competent)", or "no occasion". */
  levelText: string;
  /** What the level means, in the rubric's words: the first sentence of its descriptor. */
  descriptor: string;
  /** Where the rehearsal gave no occasion for the dimension: said, instead of a level. */
  noOccasion?: string;
  /** The qualification criteria it evidences, as "CS17 1.2": only at a level that evidences them (2 or 3). */
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

/** The one thing to work on first: the weakest dimension the rehearsal gave an occasion for. */
export interface FocusView {
  id: string;
  name: string;
  levelText: string;
  /** What the next level up looks like, in the rubric's words. */
  nextStep: string;
  /** A line the learner could have said, written from this scenario's own situation. */
  modelLine?: string;
}

export interface CommitmentView {
  turn: number;
  who: string;
  what: string;
  when?: string;
  /** The promise as a sentence: "Turn 4, you promised: "…" (when: by 4pm today)." */
  sentence: string;
}

export interface DebriefView {
  title: string;
  endReason: string;
  /** One line: where the learner was strongest (and any breach); `focus` says what to work on first. */
  headline: string;
  focus?: FocusView;
  /** What the learner could not see: present when the scenario is known. */
  hidden?: HiddenPicture;
  breaches: Array<{ turn: number; quote: string; rule: string }>;
  /** Where the tutor set the authority level the breaches capped: what they said, beside the scorer's breaches. */
  breachesReviewed?: string;
  dimensions: DimensionView[];
  commitments: CommitmentView[];
  /** The learner's strongest reply and the one to work on: from how each reply was levelled on its own, or from a model judge's evidence. */
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
  /** The scenario rehearsed: its model lines and what the learner could not see. */
  scenario?: Scenario;
}

/** The gist of a descriptor: what the level means, short enough for a card. */
const firstSentence = (text: string): string => {
  const sentence = text.split(/(?<=[a-z0-9)'"\u201d][.;])\s+(?=[A-Z])/)[0] ?? text;
  // Its first clause, without the examples in brackets: a line a learner reads at a glance.
  const clauses = sentence.split(/;\s/);
  // A short first clause takes the next with it, so "Any of: …" keeps more than one of its kinds.
  const kept = clauses[0]!.length < 70 && clauses.length > 1 ? `${clauses[0]}; ${clauses[1]}` : clauses[0]!;
  const clause = kept.replace(/\s*\((?:e\.g\.|for example|such as|"|\u201c)[^)]*\)/g, '');
  return `${clause.replace(/[.;:,\s]+$/, '')}.`;
};

/** Criteria count as evidenced from Competent up. */
const EVIDENCING_LEVEL = 2;

function commitmentSentence(turn: number, who: string, what: string, when?: string): string {
  const whose = who === 'the learner' ? 'you promised' : `you promised for ${who}`;
  return `Turn ${turn}, ${whose}: "${what.trim()}" (${when ? `when: ${when}` : 'no time given'}).`;
}

export function debriefView({ title, report, dimensions, order, endReason, turns, review, scenario }: DebriefInput): DebriefView {
  const shown: DimensionView[] = [];
  for (const id of order ?? Object.keys(report.dimensions)) {
    const score = report.dimensions[id];
    if (!score) continue;
    const dimension = dimensions.find((d) => d.id === id);
    const changed = review?.dimensions[id];
    const level = changed ? changed.level : score.level;
    const levelName = level === null ? undefined : dimension?.levels[level]?.name;
    const asScored = changed ? `, set by your tutor (scored ${score.level === null ? 'no occasion' : `${score.level}/3`})` : '';
    shown.push({
      id,
      name: dimension?.name ?? id,
      level,
      levelText: level === null ? `no occasion${asScored}` : `${level}/3${levelName ? ` (${levelName})` : ''}${asScored}`,
      descriptor: level === null ? '' : firstSentence(dimension?.levels[level]?.descriptor ?? ''),
      ...(level === null
        ? { noOccasion: `This rehearsal gave no occasion to show ${(dimension?.name ?? id).toLowerCase()}, so it is not levelled.` }
        : {}),
      ...(changed ? { tutorReason: changed.reason } : {}),
      criteria:
        level !== null && level >= EVIDENCING_LEVEL ? [...new Set(dimension?.criteria.map((c) => `${c.unit} ${c.code}`) ?? [])] : [],
      evidence: score.evidence,
      suggestion: score.suggestion,
    });
  }
  const levels = shown.filter((d) => d.level !== null).map((d) => `${d.id} ${d.level}`);
  const breachNote = report.breaches.length > 0 ? `, ${report.breaches.length} beyond authority` : '';
  const { strongest, weakest } = standouts(report, turns);
  const focus = focusOf(shown, dimensions, scenario);
  return {
    title,
    endReason: endReason === undefined ? 'The rehearsal ended.' : (END_REASON_TEXT[endReason as EndReason] ?? 'The rehearsal ended.'),
    headline: headlineOf(shown, focus, report.breaches.length),
    ...(focus ? { focus } : {}),
    ...(scenario && turns ? { hidden: hiddenPicture(scenario, turns) } : {}),
    breaches: report.breaches.map(({ turn, quote, rule }) => ({ turn, quote, rule })),
    ...(report.breaches.length > 0 && review?.dimensions[AUTHORITY]
      ? {
          breachesReviewed: `Your tutor set your authority level to ${review.dimensions[AUTHORITY].level}: ${review.dimensions[AUTHORITY].reason}`,
        }
      : {}),
    dimensions: shown,
    commitments: report.commitments.map(({ turn, who, what, when }) => ({
      turn,
      who,
      what,
      ...(when ? { when } : {}),
      sentence: commitmentSentence(turn, who, what, when),
    })),
    ...(strongest ? { strongest } : {}),
    ...(weakest ? { weakest } : {}),
    summary: `${levels.join(', ')}${breachNote}`,
    ...(review ? { tutor: tutorView(review, turns) } : {}),
  };
}

/**
 * The weakest dimension with an occasion, the first in the scenario's order on a tie; none when
 * every levelled dimension is at the top.
 */
function focusOf(shown: readonly DimensionView[], dimensions: readonly RubricDimension[], scenario?: Scenario): FocusView | undefined {
  const levelled = shown.filter((d): d is DimensionView & { level: number } => d.level !== null);
  const weakest = levelled.reduce<(DimensionView & { level: number }) | undefined>((w, d) => (!w || d.level < w.level ? d : w), undefined);
  if (!weakest || weakest.level >= 3) return undefined;
  const next = dimensions.find((d) => d.id === weakest.id)?.levels[weakest.level + 1];
  const line = scenario ? modelLine(weakest.id, scenario) : undefined;
  return {
    id: weakest.id,
    name: weakest.name,
    levelText: weakest.levelText,
    nextStep: next ? `${next.name}: ${firstSentence(next.descriptor)}` : '',
    ...(line ? { modelLine: line } : {}),
  };
}

function headlineOf(shown: readonly DimensionView[], focus: FocusView | undefined, breaches: number): string {
  const levelled = shown.filter((d) => d.level !== null);
  if (levelled.length === 0) return 'This rehearsal was too short to level.';
  const top = Math.max(...levelled.map((d) => d.level!));
  // Dimension ids are the short names a learner scans: "listening", "negotiation".
  const best = levelled.filter((d) => d.level === top).map((d) => d.id);
  const strongest = `Strongest: ${best.length > 2 ? `${best.slice(0, 2).join(', ')} and ${best.length - 2} more` : best.join(' and ')} (${top}/3).`;
  const beyond = breaches > 0 ? ` You went beyond your authority ${breaches === 1 ? 'once' : `${breaches} times`}.` : '';
  // The focus has a line of its own after this one; with none, that is news too.
  const allAtTop = focus ? '' : ' Every dimension at the top level.';
  return `${strongest}${allAtTop}${beyond}`;
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
  const best = strengthsByTurn(report)
    .filter((t) => !flagged.has(t.turn) && t.strengths.length > 0)
    .sort((a, b) => b.strengths.length - a.strengths.length || total(b.strengths) - total(a.strengths) || a.turn - b.turn)[0];
  const strongest: ReplyView | undefined = best && {
    turn: best.turn,
    quote: quote(best.turn),
    levels: best.strengths.map(([id, level]) => `${id} ${level}`),
  };
  return { ...(strongest ? { strongest } : {}), ...(weakest ? { weakest } : {}) };
}

const total = (levels: ReadonlyArray<[string, number]>) => levels.reduce((sum, [, level]) => sum + level, 0);

/**
 * Each reply's strengths (dimensions shown at level 2 or 3). Under a model judge whose levels stand
 * (no fallback to the rules), they are the judge's: a dimension it levelled 2 or 3, at the replies
 * its evidence quotes; so the strongest reply never contradicts the levels above it. Otherwise they
 * are the rules', reply by reply.
 */
function strengthsByTurn(report: ScoreReport): { turn: number; strengths: [string, number][] }[] {
  if (!report.judgement || report.judgement.fallback)
    return report.turns.map((t) => ({
      turn: t.turn,
      strengths: Object.entries(t.levels).filter((e): e is [string, number] => e[1] !== null && e[1] >= 2),
    }));
  const byTurn = new Map<number, [string, number][]>();
  for (const [id, score] of Object.entries(report.dimensions)) {
    if (score.level === null || score.level < 2) continue;
    for (const turn of new Set(score.evidence.map((e) => e.turn))) byTurn.set(turn, [...(byTurn.get(turn) ?? []), [id, score.level]]);
  }
  return [...byTurn].map(([turn, strengths]) => ({ turn, strengths }));
}
