/**
 * The "typing…" indicator, sent only when a reply keeps the learner waiting. The scripted customer
 * answers in milliseconds, so an indicator before every reply would be one more message posted per
 * turn for nothing; a customer played by a model takes seconds, and then the learner sees it.
 */
import { ShowTypingMiddleware } from 'botbuilder';

/** Long enough that instant replies never show it; short enough that a person never wonders. */
export const TYPING_DELAY_MS = 400;
const TYPING_REPEAT_MS = 2500;

export function typingIndicator(delay = TYPING_DELAY_MS): ShowTypingMiddleware {
  return new ShowTypingMiddleware(delay, TYPING_REPEAT_MS);
}
