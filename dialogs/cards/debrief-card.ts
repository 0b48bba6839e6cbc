/**
 * The debrief card. The first screen carries the one-line summary and the one thing to work on
 * first, with a model line for this scenario; then each dimension's level and what it means, its
 * quoted evidence, suggestion and criteria collapsed behind a "Details" toggle
 * (`Action.ToggleVisibility`, so a Teams chat pane is not one long scroll); authority breaches as
 * blockers; what the learner could not see; the replies that stood out; the commitments made.
 * Rendered the same in Teams and in the local page, from the one view of a scored rehearsal.
 */
import { debriefView, type DebriefView, type ReplyView } from '../../engine/debrief-view.ts';
import type { EvidenceRecord } from '../../engine/evidence-record.ts';
import type { Library } from '../../engine/rubric-library.ts';
import type { TutorReview } from '../../engine/tutor-review.ts';
import { markdownLiteral } from '../markdown-literal.ts';
import { CARD_ENVELOPE, debriefRefresh } from './card-actions.ts';

const text = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

/** A reply quoted in a card stays short enough to read at a glance. */
const clip = (quote: string, max = 160) => (quote.length > max ? `${quote.slice(0, max - 1)}…` : quote);

/** A button that shows or hides the element with this id, and the element itself, hidden to start. */
const toggle = (title: string, target: string) => ({ type: 'Action.ToggleVisibility', title, targetElements: [target] });
const hidden = (id: string, items: unknown[]) => ({ type: 'Container', id, isVisible: false, items });

export function debriefCard(view: DebriefView): Record<string, unknown> {
  const body: unknown[] = [
    text(`Debrief: ${view.title}`, { weight: 'Bolder', size: 'Medium' }),
    text(view.endReason, { isSubtle: true, spacing: 'None' }),
    {
      type: 'Container',
      id: 'summary',
      style: 'accent',
      items: [
        text(view.headline, { weight: 'Bolder' }),
        ...(view.focus
          ? [
              text(`Work on first: ${view.focus.name}, ${view.focus.levelText}`, { color: 'Accent', weight: 'Bolder', spacing: 'Small' }),
              ...(view.focus.nextStep ? [text(`To reach ${view.focus.nextStep}`, { size: 'Small', spacing: 'None' })] : []),
              ...(view.focus.modelLine
                ? [text(`You could say: "${markdownLiteral(view.focus.modelLine)}"`, { size: 'Small', isSubtle: false, spacing: 'Small' })]
                : []),
            ]
          : []),
      ],
    },
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
    const details = `details-${dimension.id}`;
    const detailItems = [
      ...dimension.evidence.slice(0, 2).map((e) => text(`Turn ${e.turn}: "${e.quote}" — ${e.reason}`, { size: 'Small' })),
      ...(dimension.suggestion ? [text(`Try: ${dimension.suggestion}`, { size: 'Small', color: 'Accent' })] : []),
      // Only a level that evidences the criteria names them ("Evidences …" never on a 0).
      ...(dimension.criteria.length > 0 ? [text(`Evidences ${dimension.criteria.join(', ')}`, { isSubtle: true, size: 'Small' })] : []),
    ];
    const expandable = detailItems.length > 0 && dimension.level !== null;
    body.push({
      type: 'Container',
      separator: true,
      items: [
        {
          // The whole row opens its details: no extra row of buttons per dimension.
          type: 'Container',
          ...(expandable ? { selectAction: toggle(`Details: ${dimension.name}`, details) } : {}),
          items: [
            {
              type: 'ColumnSet',
              columns: [
                { type: 'Column', width: 'stretch', items: [text(dimension.name, { weight: 'Bolder' })] },
                { type: 'Column', width: 'auto', items: [text(`${dimension.levelText}${expandable ? ' ▸' : ''}`, { weight: 'Bolder' })] },
              ],
            },
            text(dimension.noOccasion ?? dimension.descriptor, { isSubtle: true, size: 'Small', spacing: 'None' }),
          ],
        },
        ...(dimension.tutorReason
          ? [text(`Your tutor: ${markdownLiteral(dimension.tutorReason)}`, { size: 'Small', weight: 'Bolder' })]
          : []),
        ...(expandable ? [hidden(details, detailItems)] : []),
      ],
    });
  }
  if (view.hidden) {
    const { cause, uncovered, missed, wanted, couldOffer } = view.hidden;
    body.push({
      type: 'Container',
      separator: true,
      items: [
        { type: 'ActionSet', actions: [toggle('What you could not see', 'hidden-picture')] },
        hidden('hidden-picture', [
          text(`The cause: ${markdownLiteral(cause)}`, { size: 'Small' }),
          text(`What the customer wanted: ${markdownLiteral(wanted)}`, { size: 'Small' }),
          text(`You uncovered: ${uncovered.length === 0 ? 'none of the hidden facts' : markdownLiteral(uncovered.join(' · '))}`, {
            size: 'Small',
          }),
          ...(missed.length > 0 ? [text(`You missed: ${markdownLiteral(missed.join(' · '))}`, { size: 'Small' })] : []),
          text(`What the organisation could offer: ${markdownLiteral(couldOffer.join(' · '))}`, { size: 'Small' }),
        ]),
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
        : view.commitments.map((c) => text(c.sentence, { size: 'Small' }))),
    ],
  });
  return { ...CARD_ENVELOPE, body };
}

/**
 * The debrief card of a kept rehearsal, in its scenario's order, with the tutor's review once there
 * is one. With `refreshFor` (the learner's Teams user id), Teams fetches it again each time they view it.
 */
export function recordDebriefCard(
  record: EvidenceRecord,
  library: Library,
  review?: TutorReview,
  refreshFor?: string,
): Record<string, unknown> {
  const scenario = library.scenarios.find((s) => s.id === record.scenario.id);
  const card = debriefCard(
    debriefView({
      title: record.scenario.title,
      report: record.report,
      dimensions: library.dimensions,
      ...(scenario ? { order: scenario.dimensions } : {}),
      endReason: record.endReason,
      turns: record.turns,
      ...(review ? { review } : {}),
      ...(scenario ? { scenario } : {}),
    }),
  );
  // Opened again from the history: the learner's own reflection with it, as they wrote it.
  const body = record.reflection
    ? [
        ...(card.body as unknown[]),
        {
          type: 'Container',
          separator: true,
          items: [text('Your reflection', { weight: 'Bolder' }), text(markdownLiteral(record.reflection), { size: 'Small' })],
        },
      ]
    : card.body;
  return { ...card, body, ...(refreshFor === undefined ? {} : { refresh: debriefRefresh(record.id, refreshFor) }) };
}
