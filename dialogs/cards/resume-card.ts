/**
 * The offer to take up the rehearsals left unfinished in other conversations (another window of
 * the local page, another Teams chat): each with when it was started and a Resume button, and how
 * long they wait.
 */
import type { OpenRehearsal } from '../../store/open-rehearsals.ts';
import { CARD_ENVELOPE, cardButton } from './card-actions.ts';

/** How many are offered at once; a learner with more finds the rest offered as they finish these. */
const MAX_OFFERED = 3;

export function resumeCard(
  open: readonly OpenRehearsal[],
  universal: boolean,
  abandonedAfterDays: number | undefined,
): Record<string, unknown> {
  const offered = open.slice(0, MAX_OFFERED);
  const waits = !abandonedAfterDays
    ? ''
    : ` One left for ${abandonedAfterDays} day${abandonedAfterDays === 1 ? '' : 's'} is scored as it stands and kept as abandoned.`;
  return {
    ...CARD_ENVELOPE,
    body: [
      {
        type: 'TextBlock',
        text: offered.length === 1 ? 'You have an unfinished rehearsal' : `You have ${offered.length} unfinished rehearsals`,
        weight: 'Bolder',
        wrap: true,
      },
      { type: 'TextBlock', text: `Take one up here where you left it, or choose another scenario.${waits}`, wrap: true, isSubtle: true },
      ...offered.map((entry) => ({
        type: 'ColumnSet',
        separator: true,
        columns: [
          {
            type: 'Column',
            width: 'stretch',
            verticalContentAlignment: 'Center',
            items: [{ type: 'TextBlock', text: `**${entry.title}**, started ${startedText(entry.startedAt)}`, wrap: true }],
          },
          {
            type: 'Column',
            width: 'auto',
            items: [
              {
                type: 'ActionSet',
                actions: [cardButton('Resume', { action: 'resume', rehearsalId: entry.rehearsalId }, universal, 'positive')],
              },
            ],
          },
        ],
      })),
    ],
  };
}

/** "30 Nov, 14:05", as the learner's clock in the UK reads it. */
const startedText = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
