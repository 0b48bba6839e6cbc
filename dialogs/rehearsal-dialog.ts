/**
 * One rehearsal as a dialog: the learner's messages go to the customer and its replies come back;
 * practice mode adds the scorer's coaching hint after a weak reply; `end` (or the customer) ends it,
 * and the scored transcript is saved as evidence before the debrief card is shown.
 *
 * @remarks
 * The dialog's state holds the rehearsal's small, fixed-size state and the last turn's exchange. Its
 * save (checked against the state the turn read, `bot/bot-storage.ts`) is the turn's one commit: the
 * turn happened if and only if it landed, and a process whose commit is refused (another took the
 * turn) has written nothing. Then the customer's answer is sent, and only once it has gone is the
 * exchange appended to the rehearsal log: an exchange in the log is one whose answer the learner has.
 * So a bot restarted mid-rehearsal carries on from the same turn, and no reply the learner has seen
 * is lost.
 *
 * A committed exchange missing from the log (the answer was not sent, or not for certain: the store or
 * the channel failed in between) is found by the next message: the customer's answer is sent then and
 * logged, and the message is not taken as a new turn, since it was written without that answer (sent
 * again, it is the same turn; anything else, the learner is asked to reply to the answer).
 *
 * Ending is marked in the state, and that state saved, before the evidence is saved. If the state
 * saved at the end of the ending turn is then lost, the next message finds this dialog still on the
 * stack; the mark is what tells it to look for its evidence, and finding it, it ends as it did then,
 * so the message is never answered by the customer and the evidence is never saved again.
 *
 * In a scenario the learner opens (`openedBy: learner`), the briefing is followed by a prompt to
 * speak first, not by a customer's message; the customer's first words answer the learner's.
 */
import { randomUUID } from 'node:crypto';
import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { IncompatibleStateError } from '../engine/component-identity.ts';
import { UNRECORDED_CUSTOMER, type EvidenceRecord, type Learner } from '../engine/evidence-record.ts';
import { Rehearsal, type Exchange, type RehearsalParts } from '../engine/rehearsal.ts';
import { isUnversionedRehearsal, upgradeRehearsal } from '../engine/rehearsal-upgrade.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { MAX_TURN_CHARS } from '../engine/transcript.ts';
import { coachingCard } from './cards/coaching-card.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { RehearsalLog } from '../store/rehearsal-log.ts';
import { CARD_ENVELOPE, cardButton, debriefRefreshFor, hostHasUniversalActions } from './cards/card-actions.ts';
import { recordDebriefCard } from './cards/debrief-card.ts';
import { setTurnProgress } from './turn-progress.ts';
import { rehearsalEvidence } from './rehearsal-evidence.ts';
import { conversationKeyOf, conversationStateKeyOf } from './conversation-keys.ts';
import type { OpenRehearsal, OpenRehearsals } from '../store/open-rehearsals.ts';
import { loggedAs, logShift, REHEARSAL_DIALOG_ID, type Mode, type RehearsalDialogState } from './rehearsal-dialog-state.ts';

export interface RehearsalOptions {
  scenarioId: string;
  mode: Mode;
  learner: Learner;
}

export interface RehearsalResult {
  recordId?: string;
  /**
   * The debrief was shown, and the reflection asked for, in an earlier turn whose state was lost:
   * this turn's message was written in answer to that request.
   */
  debriefShown?: true;
}

export interface RehearsalServices {
  library: Library;
  evidence: EvidenceStore;
  log: RehearsalLog;
  parts: RehearsalParts;
  /** Saves the conversation state now, before a reply is sent. */
  saveState: (context: TurnContext) => Promise<void>;
  /** Where each rehearsal was held, so a tutor's review can be sent there later. */
  references?: ConversationReferences;
  /** The rehearsals under way, for taking one up in another conversation and keeping one left unfinished. */
  open?: OpenRehearsals;
}

export class RehearsalDialog extends Dialog<RehearsalOptions> {
  static readonly ID = REHEARSAL_DIALOG_ID;

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
    const rehearsal = await Rehearsal.start(scenario, this.services.parts, rehearsalId);
    const startedAt = new Date().toISOString();
    const state: RehearsalDialogState = {
      rehearsalId,
      scenarioId: scenario.id,
      mode: options.mode,
      learner: options.learner,
      startedAt,
      lastTurnAt: startedAt,
      customer: this.services.parts.customer.identity,
      rehearsal: rehearsal.snapshot,
    };
    Object.assign(dc.activeDialog!.state, state);
    // Listed before its state is first saved: a rehearsal whose state exists can always be found.
    await this.services.open?.hold(heldAt(dc.context, state, scenario));
    await this.services.saveState(dc.context);
    await dc.context.sendActivity(
      briefingCard(scenario, rehearsalId, options.mode, hostHasUniversalActions(dc.context.activity.channelId)),
    );
    await dc.context.sendActivity(rehearsal.openedBy === 'learner' ? learnerOpensPrompt(scenario) : rehearsal.opening);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const alreadySaved = await this.endIfAlreadySaved(dc, state);
    if (alreadySaved) return alreadySaved;
    const scenario = this.scenarioOf(state.scenarioId);
    if (!scenario) return this.closeUnscored(dc, 'This scenario is no longer available, so the rehearsal has been closed without a score.');
    const rehearsal = await this.restore(scenario, state);
    if (!rehearsal) return this.abandon(dc);
    const text = (dc.context.activity.text ?? '').trim();
    const unanswered = await this.unansweredExchange(state);
    if (unanswered) {
      await this.answerAtLast(dc, state, unanswered);
      if (rehearsal.ended) return this.finish(dc, scenario, rehearsal, state);
      if (text !== unanswered.learner)
        await dc.context.sendActivity(
          'That was the customer’s answer to your last message, which did not reach you in time. Your new message was not passed on: reply to what they said.',
        );
      return Dialog.EndOfTurn;
    }
    // Ended by the customer, but the evidence was not saved (the store failed): finish it now.
    if (rehearsal.ended) return this.finish(dc, scenario, rehearsal, state);
    if (text.length === 0) {
      await dc.context.sendActivity('Type your reply to the customer, or **end** to finish.');
      return Dialog.EndOfTurn;
    }
    if (text.length > MAX_TURN_CHARS) {
      await dc.context.sendActivity(
        `That message is too long to be a reply to the customer (at most ${MAX_TURN_CHARS.toLocaleString('en-GB')} characters). Please say it more briefly.`,
      );
      return Dialog.EndOfTurn;
    }
    let exchange: Exchange;
    try {
      exchange = await rehearsal.learnerSays(text);
    } catch (error) {
      if (!(error instanceof IncompatibleStateError)) throw error;
      // The bot was restarted with another kind of customer or scorer: what was said so far still counts.
      await dc.context.sendActivity(
        'This rehearsal was begun with a different customer or scorer than the bot now uses, so it cannot go on. Here is your debrief for what you did so far.',
      );
      rehearsal.end();
      return this.finish(dc, scenario, rehearsal, state);
    }
    // Begun before rehearsals under way were listed (it has no lastTurnAt): listed now, once.
    if (state.lastTurnAt === undefined) await this.services.open?.hold(heldAt(dc.context, state, scenario));
    const before = { rehearsal: state.rehearsal, lastExchange: state.lastExchange, lastTurnAt: state.lastTurnAt };
    state.rehearsal = rehearsal.snapshot;
    state.lastExchange = exchange;
    state.lastTurnAt = new Date().toISOString();
    // The commit: refused if another turn (another process's) changed the state since it was read.
    await this.services.saveState(dc.context);
    setTurnProgress(dc.context, 'committed');
    try {
      await dc.context.sendActivity(exchange.customer);
    } catch (error) {
      // The channel refused the reply (it answered with an error status), so the learner never saw it:
      // the turn is taken back, and their next message is this turn again, not a reply to words they
      // never read. If taking it back fails too, the turn stands unanswered, and the next message gets
      // its answer. A reply that timed out may have arrived: that turn stands unanswered the same way.
      if (typeof (error as { statusCode?: unknown }).statusCode === 'number') {
        Object.assign(state, before);
        const takenBack = await this.services.saveState(dc.context).then(
          () => true,
          () => false,
        );
        if (takenBack) setTurnProgress(dc.context, 'not taken');
      }
      throw error;
    }
    setTurnProgress(dc.context, 'answered');
    await this.logAnswered(dc, state, exchange);
    await this.sendNotices(dc, state, rehearsal, exchange);
    return rehearsal.ended ? this.finish(dc, scenario, rehearsal, state) : Dialog.EndOfTurn;
  }

  /** The coaching hint (practice mode) and the length-limit notice: extras, whose failure costs the learner nothing. */
  private async sendNotices(dc: DialogContext, state: RehearsalDialogState, rehearsal: Rehearsal, exchange: Exchange): Promise<void> {
    const hint = exchange.feedback.hint;
    if (state.mode === 'practice' && hint)
      await dc.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(coachingCard(hint)))).catch(() => undefined);
    if (rehearsal.endReason === 'length-limit')
      await dc.context.sendActivity('This rehearsal has reached its length limit, so it ends here.').catch(() => undefined);
  }

  /**
   * Takes up here a rehearsal another conversation held: listed as held here, then put on this
   * conversation's stack and saved at once, before the other lets it go, so it is never held nowhere.
   * (A process that dies between the two leaves it in both: the learner carries it on in either.)
   */
  async takeUp(dc: DialogContext, state: RehearsalDialogState): Promise<void> {
    const taken = { ...state, lastTurnAt: new Date().toISOString() };
    const scenario = this.scenarioOf(state.scenarioId);
    if (scenario) await this.services.open?.hold(heldAt(dc.context, taken, scenario));
    dc.stack.push({ id: RehearsalDialog.ID, state: taken });
    await this.services.saveState(dc.context);
  }

  /** Undoes `takeUp`, when the other conversation could not let the rehearsal go: listed there again. */
  async putBack(dc: DialogContext, listed: OpenRehearsal): Promise<void> {
    dc.stack.pop();
    await this.services.saveState(dc.context);
    await this.services.open?.hold(listed);
  }

  /** After `takeUp`: the briefing again, and where the rehearsal was (the customer's last words, or the prompt to open). */
  async showWhereItWas(dc: DialogContext): Promise<void> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const scenario = this.scenarioOf(state.scenarioId);
    const rehearsal = scenario && (await this.restore(scenario, state));
    if (!scenario || !rehearsal) return;
    await dc.context.sendActivity(
      briefingCard(scenario, state.rehearsalId, state.mode, hostHasUniversalActions(dc.context.activity.channelId)),
    );
    const last = state.lastExchange?.customer ?? (rehearsal.openedBy === 'learner' ? undefined : rehearsal.opening);
    await dc.context.sendActivity(
      last === undefined
        ? learnerOpensPrompt(scenario)
        : `Where you left it, the customer had said:\n\n> ${last.replace(/\n/g, '\n> ')}\n\nReply as the advisor, or type **end** to finish.`,
    );
  }

  /** The learner ends the rehearsal: score it, keep the evidence, show the debrief. */
  async end(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const alreadySaved = await this.endIfAlreadySaved(dc, state);
    if (alreadySaved) return alreadySaved;
    const scenario = this.scenarioOf(state.scenarioId);
    if (!scenario) return this.closeUnscored(dc, 'This scenario is no longer available, so the rehearsal has been closed without a score.');
    const rehearsal = await this.restore(scenario, state);
    if (!rehearsal) return this.abandon(dc);
    const unanswered = await this.unansweredExchange(state);
    if (unanswered) await this.answerAtLast(dc, state, unanswered);
    rehearsal.end();
    return this.finish(dc, scenario, rehearsal, state);
  }

  /** The last committed exchange, if its answer may not have reached the learner: it is not (or not as it is) in the log. */
  private async unansweredExchange(state: RehearsalDialogState): Promise<Exchange | undefined> {
    const last = state.lastExchange;
    if (!last) return undefined;
    return (await this.services.log.holds(state.rehearsalId, loggedAs(state, last))) ? undefined : last;
  }

  /**
   * Sends the customer's answer the learner may not have had, then logs the exchange: from now on it
   * is answered. The state is saved first (with the turn it answers), so a process still busy with
   * that turn can no longer take it back once its answer has been given here.
   */
  private async answerAtLast(dc: DialogContext, state: RehearsalDialogState, exchange: Exchange): Promise<void> {
    state.answeredLate = exchange.turn;
    await this.services.saveState(dc.context);
    await dc.context.sendActivity(exchange.customer);
    setTurnProgress(dc.context, 'answered');
    await this.logAnswered(dc, state, exchange);
  }

  /**
   * Logs an exchange whose answer the learner has. If that fails, the next message would take the
   * answer as undelivered: the learner is then asked to send their message again, which the next
   * turn recognises as the same turn (`dialogs/turn-progress.ts`).
   */
  private async logAnswered(dc: DialogContext, state: RehearsalDialogState, exchange: Exchange): Promise<void> {
    try {
      await this.services.log.append(state.rehearsalId, loggedAs(state, exchange));
    } catch (error) {
      setTurnProgress(dc.context, 'committed');
      throw error;
    }
  }

  /**
   * A rehearsal marked as ending whose evidence exists was debriefed in a turn whose state was then
   * lost (the save at its end failed): it ends now, with the record it has, and is neither continued
   * nor saved again. Both ways to the evidence save (`continueDialog` and `end`) come through here.
   * Without the mark there is nothing to look up; with it but no record, the evidence save itself
   * failed, and the rehearsal (stored as ended) is finished again.
   */
  private async endIfAlreadySaved(dc: DialogContext, state: RehearsalDialogState): Promise<DialogTurnResult | undefined> {
    if (!state.ending) return undefined;
    const record = await this.services.evidence.get(state.rehearsalId);
    if (!record) return undefined;
    // A save cut short after the record was written may not have filed it in the listings (Redis
    // writes the record, then its index), and a learner's history must show it. Refiled, never saved
    // again: a reflection saved meanwhile (by another process) must not be written over.
    await this.services.evidence.refile(record.id);
    if (state.debriefSent) return dc.endDialog({ recordId: record.id, debriefShown: true } satisfies RehearsalResult);
    // The debrief itself never reached the learner: this message is no reflection. Show it now.
    await dc.context.sendActivity('Your rehearsal had already ended. Here is your debrief.');
    await this.sendDebrief(dc, state, record);
    return dc.endDialog({ recordId: record.id } satisfies RehearsalResult);
  }

  /** The debrief card, from the evidence record, marked as sent (and saved) once the channel has taken it. */
  private async sendDebrief(dc: DialogContext, state: RehearsalDialogState, record: EvidenceRecord): Promise<void> {
    const card = recordDebriefCard(record, this.services.library, undefined, debriefRefreshFor(dc.context));
    await dc.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    setTurnProgress(dc.context, 'debriefed');
    state.debriefSent = true;
    await this.services.saveState(dc.context);
  }

  /** A rehearsal that cannot be read is let go, so the learner is never stuck in it. */
  private async abandon(dc: DialogContext): Promise<DialogTurnResult> {
    return this.closeUnscored(
      dc,
      'This rehearsal was saved by a different version of ServiceSim and cannot be continued or scored, sorry. Type **scenarios** to start again.',
    );
  }

  /** Ends the rehearsal with nothing to keep, saying why; it is no longer under way anywhere. */
  private async closeUnscored(dc: DialogContext, why: string): Promise<DialogTurnResult> {
    await dc.context.sendActivity(why);
    // If this fails, the next pass over unfinished rehearsals finds it gone and clears it.
    await this.services.open?.remove((dc.activeDialog!.state as RehearsalDialogState).rehearsalId).catch(() => undefined);
    return dc.endDialog({} satisfies RehearsalResult);
  }

  private scenarioOf(id: string): Scenario | undefined {
    return this.services.library.scenarios.find((s) => s.id === id);
  }

  /**
   * The rehearsal from the dialog's state; one stored before versioning is upgraded once, here.
   * Undefined for state of a shape this version cannot read (written by a later one, say).
   */
  private async restore(scenario: Scenario, state: RehearsalDialogState): Promise<Rehearsal | undefined> {
    if (!isUnversionedRehearsal(state.rehearsal)) {
      try {
        return Rehearsal.restore(scenario, this.services.parts, state.rehearsal);
      } catch (error) {
        if (error instanceof IncompatibleStateError) return undefined;
        throw error;
      }
    }
    const { rehearsal, exchanges } = await upgradeRehearsal(scenario, this.services.parts, state.rehearsal);
    for (const exchange of exchanges) await this.services.log.append(state.rehearsalId, exchange);
    state.rehearsal = rehearsal.snapshot;
    state.customer ??= UNRECORDED_CUSTOMER;
    return rehearsal;
  }

  private async finish(
    dc: DialogContext,
    scenario: Scenario,
    rehearsal: Rehearsal,
    state: RehearsalDialogState,
  ): Promise<DialogTurnResult> {
    if (rehearsal.turnCount < 2)
      return this.closeUnscored(
        dc,
        `You did not ${rehearsal.openedBy === 'learner' ? 'speak' : 'reply'} to the customer, so there is nothing to score. Type **scenarios** to start again.`,
      );
    const { log, evidence } = this.services;
    const { record, missing } = await rehearsalEvidence(this.services, scenario, rehearsal, state, rehearsal.endReason ?? 'learner-ended');
    if (!record)
      return this.closeUnscored(
        dc,
        'None of this rehearsal could be read back from storage, so there is nothing to score, sorry. Type **scenarios** to start again.',
      );
    if (missing.length > 0) {
      // Damaged or lost in storage (and named in the log by the store): score what is there, and say so.
      await dc.context.sendActivity(
        `Part of this rehearsal could not be read back from storage (turn${missing.length === 1 ? '' : 's'} ${missing.join(', ')}), so your debrief leaves ${missing.length === 1 ? 'it' : 'them'} out.`,
      );
    }
    // Marked and saved first (see endIfAlreadySaved), with the rehearsal as ended: from here on it is never continued.
    state.rehearsal = rehearsal.snapshot;
    state.ending = true;
    await this.services.saveState(dc.context);
    setTurnProgress(dc.context, 'ending');
    // Kept before the record: a record in the store always has somewhere to send its review.
    await this.services.references?.remember(record.id, TurnContext.getConversationReference(dc.context.activity));
    // Saved before anything is shown: if this fails, the learner's next message (or "end") finishes it again.
    await evidence.save(record);
    // The log has served its purpose; if removing it fails, the evidence is safe all the same.
    await log.remove(state.rehearsalId, rehearsal.turnCount + logShift(state)).catch(() => undefined);
    // No longer under way; if this fails, the next pass over unfinished rehearsals finds it ended and clears it.
    await this.services.open?.remove(state.rehearsalId).catch(() => undefined);
    await this.sendDebrief(dc, state, record);
    return dc.endDialog({ recordId: record.id } satisfies RehearsalResult);
  }
}

/** The rehearsal's entry in the list of those under way: held in this conversation. */
function heldAt(context: TurnContext, state: RehearsalDialogState, scenario: Scenario): OpenRehearsal {
  const reference = TurnContext.getConversationReference(context.activity);
  return {
    rehearsalId: state.rehearsalId,
    learnerId: state.learner.id,
    scenarioId: scenario.id,
    title: scenario.title,
    startedAt: state.startedAt,
    conversation: conversationKeyOf(context.activity),
    stateKey: conversationStateKeyOf(context.activity),
    reference,
  };
}

/** What the learner sees instead of a customer's first words when they open: who they contact, and that they speak first. */
function learnerOpensPrompt(scenario: Scenario): string {
  return `${LEARNER_OPENS[scenario.setting.channel]} Greet ${scenario.customer.name} and say why you are getting in touch.`;
}

const LEARNER_OPENS: Record<Scenario['setting']['channel'], string> = {
  phone: '📞 You open the call: the customer has just answered the phone.',
  email: '✉️ You write first: start your email to the customer.',
  chat: '💬 You open the chat: send the customer your first message.',
  'face-to-face': '🗣️ You speak first: the customer is with you now.',
};

function briefingCard(scenario: Scenario, rehearsalId: string, mode: Mode, universal: boolean) {
  return MessageFactory.attachment(
    CardFactory.adaptiveCard({
      ...CARD_ENVELOPE,
      body: [
        { type: 'TextBlock', text: scenario.title, weight: 'Bolder', size: 'Medium', wrap: true },
        {
          type: 'TextBlock',
          text: `You are: ${scenario.setting.learnerRole}, ${scenario.setting.organisation} (${scenario.setting.channel})`,
          isSubtle: true,
          wrap: true,
        },
        { type: 'TextBlock', text: scenario.briefing, wrap: true },
        {
          type: 'TextBlock',
          text: `${mode === 'practice' ? 'Practice mode: you will get coaching hints after weak replies.' : 'Assessment mode: no hints.'} ${scenario.openedBy === 'learner' ? 'You speak first, as the advisor' : 'Reply to the customer as the advisor'}; type **end** to finish.`,
          wrap: true,
          isSubtle: true,
        },
      ],
      actions: [cardButton('End rehearsal', { action: 'end', rehearsalId }, universal, 'destructive')],
    }),
  );
}
