/**
 * How far a rehearsal turn got, kept on the turn's context, so that whoever handles a failure (the
 * bot's retry on a refused save, the apology the learner sees) knows what the learner's message did:
 *
 * - `not taken`: nothing was committed; the message can be taken again (retried, or sent again);
 * - `committed`: the turn is stored, but the customer's answer may not have reached the learner;
 *   the next message gets that answer (`dialogs/rehearsal-dialog.ts`), and must not be retried here;
 * - `answered`: the learner has the customer's answer; whatever failed after it, they carry on;
 * - `ending`: the rehearsal has ended and is marked so; the next message brings the debrief;
 * - `debriefed`: the debrief has gone; the next message is the learner's reflection.
 */
import type { TurnContext } from 'botbuilder';

export type TurnProgress = 'not taken' | 'committed' | 'answered' | 'ending' | 'debriefed';

const PROGRESS = Symbol('rehearsal turn progress');

export function setTurnProgress(context: TurnContext, progress: TurnProgress): void {
  context.turnState.set(PROGRESS, progress);
}

export function turnProgressOf(context: TurnContext): TurnProgress {
  return (context.turnState.get(PROGRESS) as TurnProgress | undefined) ?? 'not taken';
}
