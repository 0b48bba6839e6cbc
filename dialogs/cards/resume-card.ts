/**
 * The offer to take up a rehearsal left unfinished in another conversation (another window of the
 * local page, another Teams chat): what it was, when it was started, and until when it waits.
 */
import type { OpenRehearsal } from '../../store/open-rehearsals.ts';
import { calendarDay } from '../../engine/debrief-view.ts';
import { cardButton } from './card-actions.ts';

export function resumeCard(open: OpenRehearsal, universal: boolean, abandonedAfterDays: number | undefined): Record<string, unknown> {
  const waits = !abandonedAfterDays
    ? ''
    : ` Left for ${abandonedAfterDays} day${abandonedAfterDays === 1 ? '' : 's'}, it is scored as it stands and kept as abandoned.`;
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'You have an unfinished rehearsal', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: `**${open.title}**, started ${calendarDay(open.startedAt)}. Take it up here where you left it, or start another below.${waits}`,
        wrap: true,
      },
    ],
    actions: [cardButton('Resume', { action: 'resume', rehearsalId: open.rehearsalId }, universal, 'positive')],
  };
}
