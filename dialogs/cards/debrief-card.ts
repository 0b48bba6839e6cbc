/**
 * The debrief card: each dimension's level with the criteria codes it evidences, the quoted evidence and
 * one suggestion; authority breaches as blockers; the replies that stood out; the commitments made.
 * Rendered the same in Teams and in the local page, from the one view of a scored rehearsal.
 */
import { debriefView, type DebriefView, type ReplyView } from '../../engine/debrief-view.ts';
import type { EvidenceRecord } from '../../engine/evidence-record.ts';
import type { Library } from '../../engine/rubric-library.ts';
import type { TutorReview } from '../../engine/tutor-review.ts';
import { markdownLiteral } from '../markdown-literal.ts';

const text = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

/** A reply quoted in a card stays short enough to read at a glance. */
const clip = (quote: string, max = 160) => (quote.length > max ? `${quote.slice(0, max - 1)}…` : quote);

export function debriefCard(view: DebriefView): Record<string, unknown> {
  const body: unknown[] = [
    text(`Debrief: ${view.title}`, { weight: 'Bolder', size: 'Medium' }),
    text(view.endReason, { isSubtle: true, spacing: 'None' }),
  ];
  if (view.tutor) {
    const { by, verdict, feedback, nextScenario, comments } = view.tutor;
    body.push({
      type: 'Container',
      style: 'emphasis',
      items: [
        text(`Your tutor's review: ${verdict}`, { weight: 'Bolder' }),
        text(markdownLiteral(by), { isSubtle: true, size: 'Small', spacing: 'None' }),
        text(markdownLiteral(feedback)),
        ...comments.map((c) =>
          text(`On turn ${c.turn}${c.quote ? ` ("${markdownLiteral(clip(c.quote, 80))}")` : ''}: ${markdownLiteral(c.text)}`, {
            size: 'Small',
          }),
        ),
        ...(nextScenario ? [text(`Try next: start ${nextScenario}`, { size: 'Small', color: 'Accent' })] : []),
      ],
    });
  }
  if (view.breaches.length > 0) {
    body.push({
      type: 'Container',
      style: 'attention',
      items: [
        text('Beyond your authority (blocks the authority score)', { weight: 'Bolder', color: 'Attention' }),
        ...view.breaches.map((b) => text(`Turn ${b.turn}: "${b.quote}" — ${b.rule}`)),
        ...(view.breachesReviewed ? [text(markdownLiteral(view.breachesReviewed), { weight: 'Bolder' })] : []),
      ],
    });
  }
  for (const dimension of view.dimensions) {
    body.push({
      type: 'Container',
      separator: true,
      items: [
        {
          type: 'ColumnSet',
          columns: [
            { type: 'Column', width: 'stretch', items: [text(dimension.name, { weight: 'Bolder' })] },
            { type: 'Column', width: 'auto', items: [text(dimension.levelText, { weight: 'Bolder' })] },
          ],
        },
        ...(dimension.criteria.length > 0
          ? [text(`Evidences ${dimension.criteria.join(', ')}`, { isSubtle: true, size: 'Small', spacing: 'None' })]
          : []),
        ...(dimension.tutorReason
          ? [text(`Your tutor: ${markdownLiteral(dimension.tutorReason)}`, { size: 'Small', weight: 'Bolder' })]
          : []),
        ...dimension.evidence.slice(0, 2).map((e) => text(`Turn ${e.turn}: "${e.quote}" — ${e.reason}`, { size: 'Small' })),
        ...(dimension.suggestion ? [text(`Try: ${dimension.suggestion}`, { size: 'Small', color: 'Accent' })] : []),
      ],
    });
  }
  const standout = (label: string, reply: ReplyView | undefined) =>
    reply
      ? [
          text(`${label}: turn ${reply.turn}${reply.levels.length > 0 ? ` (${reply.levels.join(', ')})` : ''}`, {
            size: 'Small',
            weight: 'Bolder',
          }),
          text(`"${clip(reply.quote)}"`, { size: 'Small', isSubtle: true, spacing: 'None' }),
          ...(reply.why ? [text(reply.why, { size: 'Small', color: 'Accent', spacing: 'None' })] : []),
        ]
      : [];
  if (view.strongest || view.weakest) {
    body.push({
      type: 'Container',
      separator: true,
      items: [...standout('Your strongest reply', view.strongest), ...standout('The reply to work on', view.weakest)],
    });
  }
  body.push({
    type: 'Container',
    separator: true,
    items: [
      text('Commitments you made', { weight: 'Bolder' }),
      ...(view.commitments.length === 0
        ? [text('None.', { isSubtle: true })]
        : view.commitments.map((c) =>
            text(`Turn ${c.turn}: ${c.what}${c.when ? ` (by ${c.when})` : ' (no time given)'}`, { size: 'Small' }),
          )),
    ],
  });
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body };
}

/** The debrief card of a kept rehearsal, in its scenario's order, with the tutor's review once there is one. */
export function recordDebriefCard(record: EvidenceRecord, library: Library, review?: TutorReview): Record<string, unknown> {
  const scenario = library.scenarios.find((s) => s.id === record.scenario.id);
  return debriefCard(
    debriefView({
      title: record.scenario.title,
      report: record.report,
      dimensions: library.dimensions,
      ...(scenario ? { order: scenario.dimensions } : {}),
      endReason: record.endReason,
      turns: record.turns,
      ...(review ? { review } : {}),
    }),
  );
}
