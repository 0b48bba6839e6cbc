/**
 * A coaching hint in practice mode, in a card of its own: a coloured panel headed "Coaching", so it
 * never reads as the customer's words in the chat.
 */
import type { CoachingHint } from '../../engine/coaching-hint.ts';
import { CARD_ENVELOPE } from './card-actions.ts';

export function coachingCard(hint: CoachingHint): Record<string, unknown> {
  return {
    ...CARD_ENVELOPE,
    body: [
      {
        type: 'Container',
        style: 'warning',
        bleed: true,
        items: [
          { type: 'TextBlock', text: `💡 Coaching (${hint.dimension})`, weight: 'Bolder', size: 'Small', wrap: true },
          { type: 'TextBlock', text: hint.text, size: 'Small', spacing: 'Small', wrap: true },
          {
            type: 'TextBlock',
            text: 'Only in practice mode; the customer does not see this.',
            isSubtle: true,
            size: 'Small',
            spacing: 'None',
            wrap: true,
          },
        ],
      },
    ],
  };
}
