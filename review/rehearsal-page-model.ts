/**
 * The one-rehearsal page's model: the record laid out turn by turn, with the scorer's evidence
 * located on the quoted words, and each dimension with its rubric and the level that counts.
 */
import { randomUUID } from 'node:crypto';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { Library } from '../engine/rubric-library.ts';
import { currentReview, levelsAfterReview, type TutorReview } from '../engine/tutor-review.ts';
import type { PageTutor, RehearsalPage } from './page-models.ts';

type Highlight = RehearsalPage['turns'][number]['highlights'][number];

export function rehearsalPageModel(
  record: EvidenceRecord,
  reviews: TutorReview[],
  library: Library,
  page: { tutor: PageTutor; csrf: string; problems?: RehearsalPage['problems']; notice?: string; values?: Record<string, string> },
): RehearsalPage {
  const scenario = library.scenarios.find((s) => s.id === record.scenario.id);
  const levels = levelsAfterReview(record, currentReview(reviews));
  const dimensions = dimensionOrderOf(record, library).map((id) => {
    const score = record.report.dimensions[id]!;
    const rubric = library.dimensions.find((d) => d.id === id);
    return {
      id,
      name: rubric?.name ?? id,
      ...(rubric ? { rubric } : {}),
      criteria: [...new Set(rubric?.criteria.map((c) => `${c.unit} ${c.code}`) ?? [])],
      reviewed: levels[id]!,
      evidence: score.evidence,
      suggestion: score.suggestion,
    };
  });
  const turns = record.turns.map((turn, i) => {
    const number = i + 1;
    const quotes = Object.values(record.report.dimensions).flatMap((d) => d.evidence.filter((e) => e.turn === number));
    const breach = record.report.breaches.find((b) => b.turn === number);
    return {
      number,
      role: turn.role,
      text: turn.text,
      ...(turn.mood !== undefined ? { mood: turn.mood } : {}),
      highlights: locate(turn.text, quotes),
      ...(breach ? { breach: breach.rule } : {}),
    };
  });
  return {
    ...page,
    submission: page.values?.submission ?? randomUUID(),
    record,
    ...(scenario ? { briefing: scenario.briefing } : {}),
    dimensions,
    turns,
    reviews,
    scenarios: library.scenarios.map((s) => ({ id: s.id, title: s.title })),
  };
}

/** A record's scored dimensions in its scenario's order (as the learner's debrief shows them), then any others. */
export function dimensionOrderOf(record: EvidenceRecord, library: Library): string[] {
  const scored = Object.keys(record.report.dimensions);
  const scenario = library.scenarios.find((s) => s.id === record.scenario.id);
  return [...new Set([...(scenario?.dimensions.filter((d) => scored.includes(d)) ?? []), ...scored])];
}

/**
 * Where each quote is in the turn's text, as character ranges, in order and never overlapping (two
 * dimensions may quote the same words; the first found keeps them). A quote not found word for word
 * (the scorer trimmed or joined it) is found again ignoring case and runs of spaces, or left unmarked.
 */
export function locate(text: string, quotes: ReadonlyArray<{ quote: string; reason: string }>): Highlight[] {
  const found: Highlight[] = [];
  const lower = text.toLowerCase();
  for (const { quote, reason } of quotes) {
    const wanted = quote.trim();
    if (!wanted) continue;
    let start = text.indexOf(wanted);
    let end = start + wanted.length;
    if (start < 0) {
      const loose = new RegExp(
        wanted
          .toLowerCase()
          .split(/\s+/)
          .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('\\s+'),
      ).exec(lower);
      if (!loose) continue;
      start = loose.index;
      end = start + loose[0].length;
    }
    if (found.some((h) => start < h.end && end > h.start)) continue;
    found.push({ start, end, reason });
  }
  return found.sort((a, b) => a.start - b.start);
}
