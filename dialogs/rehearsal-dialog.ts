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
import { IncompatibleStateError, type ComponentIdentity } from '../engine/component-identity.ts';
import { assembleEvidence, UNRECORDED_CUSTOMER, type EvidenceRecord, type Learner } from '../engine/evidence-record.ts';
import { Rehearsal, scoreRehearsal, type Exchange, type RehearsalParts, type RehearsalState } from '../engine/rehearsal.ts';
import { isUnversionedRehearsal, upgradeRehearsal } from '../engine/rehearsal-upgrade.ts';
import { scenarioHashOf, sourceHashesOf, type Library } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { MAX_TURN_CHARS } from '../engine/transcript.ts';
import { coachingCard } from './cards/coaching-card.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { RehearsalLog } from '../store/rehearsal-log.ts';
import { cardButton, hostHasUniversalActions } from './cards/card-actions.ts';
import { recordDebriefCard } from './cards/debrief-card.ts';
import { setTurnProgress } from './turn-progress.ts';

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
  /** Who played the customer; absent in rehearsals begun before it was kept. */
  customer?: ComponentIdentity;
  /** The current state, or (from before versioning) the whole transcript, upgraded on the next turn. */
  rehearsal: RehearsalState | Record<string, unknown>;
  /**
   * Saved just before the evidence is: the one reason to look the evidence up on a later turn, so an
   * ordinary turn costs no lookup. Absent in rehearsals that have not reached their evidence save.
   */
  ending?: true;
  /** Saved once the debrief card has been taken by the channel: only then is the next message a reflection. */
  debriefSent?: true;
  /** The last learner turn's exchange, committed with the state that counts it (see above). */
  lastExchange?: Exchange;
  /** The last turn whose answer was given late, by a later message (see answerAtLast). */
  answeredLate?: number;
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
}

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
    const rehearsal = await Rehearsal.start(scenario, this.services.parts, rehearsalId);
    const state: RehearsalDialogState = {
      rehearsalId,
      scenarioId: scenario.id,
      mode: options.mode,
      learner: options.learner,
      startedAt: new Date().toISOString(),
      customer: this.services.parts.customer.identity,
      rehearsal: rehearsal.snapshot,
    };
    Object.assign(dc.activeDialog!.state, state);
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
    if (!scenario) {
      await dc.context.sendActivity('This scenario is no longer available, so the rehearsal has been closed without a score.');
      return dc.endDialog({} satisfies RehearsalResult);
    }
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
    const before = { rehearsal: state.rehearsal, lastExchange: state.lastExchange };
    state.rehearsal = rehearsal.snapshot;
    state.lastExchange = exchange;
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

  /** The learner ends the rehearsal: score it, keep the evidence, show the debrief. */
  async end(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as RehearsalDialogState;
    const alreadySaved = await this.endIfAlreadySaved(dc, state);
    if (alreadySaved) return alreadySaved;
    const scenario = this.scenarioOf(state.scenarioId);
    if (!scenario) return dc.endDialog({} satisfies RehearsalResult);
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
    await dc.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(recordDebriefCard(record, this.services.library))));
    setTurnProgress(dc.context, 'debriefed');
    state.debriefSent = true;
    await this.services.saveState(dc.context);
  }

  /** A rehearsal that cannot be read is let go, so the learner is never stuck in it. */
  private async abandon(dc: DialogContext): Promise<DialogTurnResult> {
    await dc.context.sendActivity(
      'This rehearsal was saved by a different version of ServiceSim and cannot be continued or scored, sorry. Type **scenarios** to start again.',
    );
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
    if (rehearsal.turnCount < 2) {
      await dc.context.sendActivity(
        `You did not ${rehearsal.openedBy === 'learner' ? 'speak' : 'reply'} to the customer, so there is nothing to score. Type **scenarios** to start again.`,
      );
      return dc.endDialog({} satisfies RehearsalResult);
    }
    const { library, log, parts, evidence } = this.services;
    const shift = logShift(state);
    const logged = await log.read(state.rehearsalId, rehearsal.turnCount + shift);
    const exchanges = logged.exchanges.map((e) => ({ ...e, turn: e.turn - shift }));
    const missing = logged.missing.map((turn) => turn - shift);
    if (missing.length > 0 && exchanges.length === 0) {
      await dc.context.sendActivity(
        'None of this rehearsal could be read back from storage, so there is nothing to score, sorry. Type **scenarios** to start again.',
      );
      return dc.endDialog({} satisfies RehearsalResult);
    }
    if (missing.length > 0) {
      // Damaged or lost in storage (and named in the log by the store): score what is there, and say so.
      await dc.context.sendActivity(
        `Part of this rehearsal could not be read back from storage (turn${missing.length === 1 ? '' : 's'} ${missing.join(', ')}), so your debrief leaves ${missing.length === 1 ? 'it' : 'them'} out.`,
      );
    }
    const report = await scoreRehearsal(parts.scorer, scenario, rehearsal.opening, exchanges);
    const sources = sourceHashesOf(library, scenario.id);
    const scenarioHash = scenarioHashOf(scenario);
    const record = assembleEvidence({
      id: state.rehearsalId,
      learner: state.learner,
      scenario: { id: scenario.id, title: scenario.title, problemType: scenario.problemType },
      mode: state.mode,
      startedAt: state.startedAt,
      endedAt: new Date().toISOString(),
      endReason: rehearsal.endReason ?? 'learner-ended',
      opening: rehearsal.opening,
      exchanges,
      turnCount: rehearsal.turnCount,
      missingTurns: missing,
      report,
      customer: state.customer ?? UNRECORDED_CUSTOMER,
      scorer: parts.scorer.identity,
      ...(sources ? { sources } : {}),
      ...(scenarioHash ? { scenarioHash } : {}),
      ...(parts.models ? { models: parts.models } : {}),
    });
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
    await log.remove(state.rehearsalId, rehearsal.turnCount + shift).catch(() => undefined);
    await this.sendDebrief(dc, state, record);
    return dc.endDialog({ recordId: record.id } satisfies RehearsalResult);
  }
}

/**
 * The rehearsal log keeps learner turns at 2, 4, 6…, where a customer's opening puts them; a
 * rehearsal the learner opens has them at 1, 3, 5…, so it logs each exchange one place on and reads
 * it back one place back. Its keys stay within those a learner's erasure removes (turn count + 2).
 */
function logShift(state: RehearsalDialogState): number {
  return (state.rehearsal as Partial<RehearsalState>).openedBy === 'learner' ? 1 : 0;
}

function loggedAs(state: RehearsalDialogState, exchange: Exchange): Exchange {
  const shift = logShift(state);
  return shift === 0 ? exchange : { ...exchange, turn: exchange.turn + shift };
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
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
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
