/**
 * How a tutor's review reads to the learner: the message that tells them it is signed, and the
 * line their history shows. Markdown, as Teams and Web Chat render it.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { VERDICT_TEXT, type TutorReview } from '../engine/tutor-review.ts';
import { markdownLiteral } from './markdown-literal.ts';

const day = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The tutor, as the learner knows them. */
const reviewerOf = (review: TutorReview) => markdownLiteral(review.reviewer.name ?? review.reviewer.id);

export function reviewSignedText(record: EvidenceRecord, review: TutorReview, nextScenarioTitle?: string): string {
  return [
    `**Your tutor ${reviewerOf(review)} has reviewed your rehearsal "${markdownLiteral(record.scenario.title)}"** (${day(record.endedAt)}): **${VERDICT_TEXT[review.verdict]}**.`,
    // Quoted line by line, each written as typed: the tutor wrote plain text, not Markdown.
    review.feedback
      .split(/\n+/)
      .map((line) => `> ${markdownLiteral(line)}`)
      .join('\n>\n'),
    ...(review.nextScenario ? [`Try next: **${nextScenarioTitle ?? review.nextScenario}** (type **start ${review.nextScenario}**).`] : []),
    'Type **history** to see it with your debrief.',
  ].join('\n\n');
}

/** The review's part of a history line: "tutor: meets the standard: 'Good questions…'". */
export function historyReviewText(review: TutorReview): string {
  const feedback = review.feedback.length > 140 ? `${review.feedback.slice(0, 139)}…` : review.feedback;
  return `tutor ${reviewerOf(review)}: **${VERDICT_TEXT[review.verdict]}**: "${markdownLiteral(feedback.replace(/\s+/g, ' '))}"`;
}
