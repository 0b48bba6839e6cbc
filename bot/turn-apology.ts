/**
 * The learner's side of a failed turn: what they are told, by how far the turn got, so that what
 * they do next (send it again, carry on, reflect) is right for what was and was not taken.
 */
import type { TurnProgress } from '../dialogs/turn-progress.ts';
import { TurnBusyError } from '../store/conversation-turns.ts';
import { StoreUnavailableError } from '../store/key-value-store.ts';
import { underlyingError } from './underlying-error.ts';

/**
 * What the learner is told when a turn fails, by how far it got (`dialogs/turn-progress.ts`). Before
 * anything was taken, storage that cannot be reached and a conversation busy in another process are
 * passing: sending it again later works. Anything else is our fault, with a reference for the log.
 */
export function apologyFor(thrown: Error, reference: string, progress: TurnProgress): string {
  const error = underlyingError(thrown);
  // The learner has the customer's answer: whatever failed after it, sending the message again would be wrong.
  if (progress === 'answered')
    return `Sorry, something went wrong on our side after the customer's answer. Carry on with your next reply. (Reference ${reference})`;
  // Taken, but its answer may not have arrived (or not been recorded as arrived): the same message again brings it.
  if (progress === 'committed')
    return 'Something went wrong on our side just as the customer answered. Send the same message again in a moment to carry on.';
  if (progress === 'ending')
    return `Your rehearsal has ended, but I could not prepare your debrief just now. Send any message in a moment to get it. (Reference ${reference})`;
  if (progress === 'debriefed')
    return 'Your debrief is above. Write a short reflection for your evidence (what went well, what would you do differently?), or type **scenarios** to start another.';
  if (error instanceof StoreUnavailableError)
    return 'Your rehearsal is paused: I cannot reach my storage just now, so I could not answer that. Nothing you have done so far is lost; please send the same message again in a moment.';
  if (error instanceof TurnBusyError) return 'I am still working on your previous message. Please send that again in a moment.';
  return `Sorry, something went wrong on our side. Please send that again, or type **end** to finish and get your debrief. (Reference ${reference})`;
}
