/**
 * One rehearsal as a dialog: the learner's messages go to the scripted customer and its replies
 * come back; practice mode adds a coaching hint after a weak reply; `end` (or the customer) ends
 * it, and the scored transcript is saved as evidence before the debrief card is shown.
 *
 * @remarks
 * The rehearsal lives in the dialog's state, which the conversation state stores. That state is
 * saved before the customer's reply is sent, so a reply the learner has seen is never lost, and a
 * bot restarted mid-rehearsal carries on from the same turn.
 */
import { randomUUID } from 'node:crypto';
import { ActivityTypes, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { coachingHint } from '../engine/coaching-hint.ts';
import type { EvidenceRecord, Learner } from '../engine/evidence-record.ts';
import { Rehearsal, type RehearsalState } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { MAX_TURN_CHARS, MAX_TURNS } from '../engine/transcript.ts';
import { cardButton, hostHasUniversalActions } from '../bot/cards/card-actions.ts';
import { debriefCard } from '../bot/cards/debrief-card.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';

export type Mode = 'practice' | 'assessment';

export interface RehearsalOptions {
  scenarioId: string;
  mode: Mode;
  learner: Learner;
}

interface RehearsalDialogState {
  rehearsalId: string;
  scenarioId: string;
  mode: Mode;
  learner: Learner;
  startedAt: string;
  rehearsal: RehearsalState;
}

export interface RehearsalResult {
  recordId?: string;
}

export interface RehearsalServices {
  library: Library;
  evidence: EvidenceStore;
  /** Saves the conversation state now, before a reply is sent. */
  saveState: (context: TurnContext) => Promise<void>;
}

const END_REASONS: Record<string, string> = {
  'learner-ended': 'You ended the rehearsal.',
  agreed: 'The customer accepted your option and the conversation closed.',
  referred: 'The customer accepted your referral.',
  escalated: 'The customer accepted your escalation.',
};

export class RehearsalDialog extends Dialog<RehearsalOptions> {
  static readonly ID = 'rehearsal';

  constructor(private readonly services: RehearsalServices) {
    super(RehearsalDialog.ID);
  }

  /** The id of the rehearsal under way in this conversation, if any (for out-of-date cards). */
  static activeRehearsalId(dc: DialogContext): string | undefined {
    return dc.activeDialog?.id === RehearsalDialog.ID ? (dc.activeDialog.state as RehearsalDialogState).rehearsalId : undefined;
  }

  override async beginDialog(dc: DialogContext, options?: RehearsalOptions): Promise<DialogTurnResult> {
    const scenario = options && this.scenarioOf(options.scenarioId);
    if (!options || !scenario) {
      await dc.context.sendActivity(`There is no scenario "${options?.scenarioId ?? ''}". Type **scenarios** to see them all.`);
      return dc.endDialog({} satisfies RehearsalResult);
    }
    const rehearsalId = randomUUID();
    const rehearsal = Rehearsal.start(scenario, rehearsalId);
    const state: RehearsalDialogState = { rehearsalId, scenarioId: scenario.id, mode: options.mode, learner: options.learner, startedAt: new Date().toISOString(), rehearsal: rehearsal.snapshot };
    Object.assign(dc.activeDialog!.state, state);
    await this.services.saveState(dc.context);
    await dc.context.sendActivity(briefingCard(scenario, rehearsalId, options.mode, hostHasUniversalActions(dc.context.activity.channelId)));
    await dc.context.sendActivity(rehearsal.turns[0]!.text);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const scenario = this.scenarioOf(state.scenarioId);
    if (!scenario) {
      await dc.context.sendActivity('This scenario is no longer available, so the rehearsal has been closed without a score.');
      return dc.endDialog({} satisfies RehearsalResult);
    }
    // Ended by the customer, but the evidence was not saved (the store failed): finish it now.
    if (state.rehearsal.customer.ended) return this.finish(dc, scenario, Rehearsal.restore(scenario, state.rehearsal), state);
    const text = (dc.context.activity.text ?? '').trim();
    if (text.length === 0) {
      await dc.context.sendActivity('Type your reply to the customer, or **end** to finish.');
      return Dialog.EndOfTurn;
    }
    if (text.length > MAX_TURN_CHARS) {
      await dc.context.sendActivity(`That message is too long to be a reply to the customer (at most ${MAX_TURN_CHARS.toLocaleString('en-GB')} characters). Please say it more briefly.`);
      return Dialog.EndOfTurn;
    }
    await dc.context.sendActivity({ type: ActivityTypes.Typing });
    const rehearsal = Rehearsal.restore(scenario, state.rehearsal);
    const moodBefore = state.rehearsal.customer.mood;
    const reply = rehearsal.learnerSays(text);
    state.rehearsal = rehearsal.snapshot;
    await this.services.saveState(dc.context);
    await dc.context.sendActivity(reply);
    if (state.mode === 'practice') {
      const hint = coachingHint(rehearsal.lastReading!, rehearsal.score(), state.rehearsal.customer.mood > moodBefore);
      if (hint) await dc.context.sendActivity(`💡 Coaching (${hint.dimension}): ${hint.text}`);
    }
    if (!rehearsal.ended && rehearsal.turns.length >= MAX_TURNS - 1) {
      await dc.context.sendActivity('This rehearsal has reached its length limit, so it ends here.');
      rehearsal.end();
    }
    return rehearsal.ended ? this.finish(dc, scenario, rehearsal, state) : Dialog.EndOfTurn;
  }

  /** The learner ends the rehearsal: score it, keep the evidence, show the debrief. */
  async end(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const scenario = this.scenarioOf(state.scenarioId);
    if (!scenario) return dc.endDialog({} satisfies RehearsalResult);
    const rehearsal = Rehearsal.restore(scenario, state.rehearsal);
    rehearsal.end();
    return this.finish(dc, scenario, rehearsal, state);
  }

  private scenarioOf(id: string): Scenario | undefined {
    return this.services.library.scenarios.find((s) => s.id === id);
  }

  private async finish(dc: DialogContext, scenario: Scenario, rehearsal: Rehearsal, state: RehearsalDialogState): Promise<DialogTurnResult> {
    if (!rehearsal.turns.some((t) => t.role === 'learner')) {
      await dc.context.sendActivity('You did not reply to the customer, so there is nothing to score. Type **scenarios** to start again.');
      return dc.endDialog({} satisfies RehearsalResult);
    }
    const report = rehearsal.score();
    const endReason = END_REASONS[rehearsal.endReason ?? 'learner-ended'] ?? 'The rehearsal ended.';
    const record: EvidenceRecord = {
      id: state.rehearsalId,
      learner: state.learner,
      scenario: { id: scenario.id, title: scenario.title },
      mode: state.mode,
      startedAt: state.startedAt,
      endedAt: new Date().toISOString(),
      endReason: rehearsal.endReason ?? 'learner-ended',
      turns: [...rehearsal.turns],
      report: report as unknown as Record<string, unknown>,
    };
    // Saved before anything is shown: if this fails, the rehearsal stays open and "end" can be retried.
    await this.services.evidence.save(record);
    await dc.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(debriefCard(scenario, report, this.services.library.dimensions, endReason))));
    return dc.endDialog({ recordId: record.id } satisfies RehearsalResult);
  }
}

function briefingCard(scenario: Scenario, rehearsalId: string, mode: Mode, universal: boolean) {
  return MessageFactory.attachment(CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: scenario.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: `You are: ${scenario.setting.learnerRole}, ${scenario.setting.organisation} (${scenario.setting.channel})`, isSubtle: true, wrap: true },
      { type: 'TextBlock', text: scenario.briefing, wrap: true },
      { type: 'TextBlock', text: `${mode === 'practice' ? 'Practice mode: you will get coaching hints after weak replies.' : 'Assessment mode: no hints.'} Reply to the customer as the advisor; type **end** to finish.`, wrap: true, isSubtle: true },
    ],
    actions: [cardButton('End rehearsal', { action: 'end', rehearsalId }, universal, 'destructive')],
  }));
}
