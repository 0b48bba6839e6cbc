/**
 * The whole conversation with a learner: welcome, commands (typed or from cards), the rehearsal,
 * the debrief and the reflection that follows it. The bot hands every message to `onMessage`.
 */
import { CardFactory, MessageFactory, type ConversationState, TurnContext, type StatePropertyAccessor, type UserState } from 'botbuilder';
import {
  DialogSet,
  DialogTurnStatus,
  TextPrompt,
  WaterfallDialog,
  type DialogContext,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { dueDayText, hasDone, isOverdue, ukDayOf } from '../engine/assignment-progress.ts';
import { debriefView } from '../engine/debrief-view.ts';
import type { EvidenceRecord, Learner } from '../engine/evidence-record.ts';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { CohortStore } from '../store/cohort-store.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { RehearsalLog } from '../store/rehearsal-log.ts';
import type { ReviewStore } from '../store/review-store.ts';
import { debriefRefreshFor, DebriefRefreshSchema, hostHasUniversalActions } from './cards/card-actions.ts';
import { recordDebriefCard } from './cards/debrief-card.ts';
import { attemptProgress, historyCard, rehearsalsHeading } from './cards/history-card.ts';
import { scenarioPickerCard, type AssignedToLearner } from './cards/scenario-picker-card.ts';
import { HELP_TEXT, readCommand, type Command } from './commands.ts';
import { learnerOf } from './learner-identity.ts';
import { RehearsalDialog, type RehearsalResult } from './rehearsal-dialog.ts';
import type { Mode } from './rehearsal-dialog-state.ts';
import { markdownLiteral } from './markdown-literal.ts';
import { historyReviewText } from './review-feedback-text.ts';
import { reflectionOf } from '../engine/reflection.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import type { OpenRehearsal, OpenRehearsals } from '../store/open-rehearsals.ts';
import { resumeCard } from './cards/resume-card.ts';
import { conversationKeyOf } from './conversation-keys.ts';
import {
  CLOSED_REHEARSAL_PROPERTY,
  DIALOG_STATE_PROPERTY,
  findHeld,
  letGo,
  type ClosedRehearsal,
  type HeldRehearsal,
} from './held-rehearsal.ts';

/**
 * Said once, before a learner's first rehearsal in which a model plays the customer or judges: their
 * words then leave this server. Their name and id never do (the prompts carry neither).
 */
const MODEL_NOTICE =
  'Before you start: in these rehearsals an AI model plays the customer or helps mark your replies, so what you type is sent to the model provider this bot is set up with. Your name and account are not sent. Type **privacy** for how your data is kept.';

interface Profile {
  mode: Mode;
  welcomed: boolean;
  /** The name the learner gave for their evidence (the local page sends none; Teams sends the account's). */
  name?: string;
  /** The learner has been told, before their first rehearsal with a model, that their words go to its provider. */
  toldOfModel?: true;
}

interface NameOptions {
  /** The join code the learner typed, to use once they have given their name. */
  joinCode?: string;
  /** The cohort it is the code of, to name in the question. */
  cohortName?: string;
}

interface ReflectionOptions {
  recordId: string;
  alreadyAsked?: boolean;
}

const REFLECTION = 'reflection';
const REFLECTION_PROMPT = 'reflectionPrompt';
const NAME = 'name';
const NAME_PROMPT = 'namePrompt';
/** A name as a tutor would read it on a list: long enough for any real name, short enough for a table. */
const MAX_NAME_CHARS = 80;

/** The reflection prompt's button (engine/reflection.ts says what else skips it). */
const SKIP = 'Skip';

export const WELCOME_TEXT = [
  "**Welcome to ServiceSim.** Rehearse resolving a customer's problem: I play the customer, you answer as the service advisor.",
  'Every reply is read for listening, questioning, calming, negotiating, staying within your authority, handling what cannot be resolved and keeping the customer informed, as the UK customer-service units describe them. At the end you get a debrief with a level 0–3 for each, the evidence quoted, one suggestion each, and any promise beyond your authority; then you can add a short reflection. Your scored rehearsals are kept as evidence for your tutor.',
  'Choose a scenario below, or type **start** *scenario-id*. If your tutor gave you a group code, type **join** *code*. Type **help** for all commands.',
].join('\n\n');

/** A learner met before, in a new conversation. */
export const WELCOME_BACK_TEXT =
  '**Welcome back to ServiceSim.** Choose a scenario below, or type **start** *scenario-id*. Type **history** to see your rehearsals, or **help** for all commands.';

export interface FlowServices {
  library: Library;
  evidence: EvidenceStore;
  log: RehearsalLog;
  parts: RehearsalParts;
  conversationState: ConversationState;
  userState: UserState;
  /** Tutors' reviews, shown in the learner's history; absent: history shows scores only. */
  reviews?: ReviewStore;
  /** Where each rehearsal was held, for the tutor's review to be sent there. */
  references?: ConversationReferences;
  /** Tutors' cohorts and assignments; absent: `join` says cohorts are not set up here. */
  cohorts?: CohortStore;
  /** A short-lived link to a copy of the learner's data; absent: `my data` says whom to ask. */
  dataCopyLink?: (learner: Learner) => Promise<string>;
  /** What `privacy` tells the learner: what is kept, for how long, who sees it. */
  privacyText?: string;
  /** Rehearsals left unfinished, to take up in another conversation; absent: each stays in its own. */
  unfinished?: UnfinishedRehearsals;
  now?: () => Date;
}

export interface UnfinishedRehearsals {
  open: OpenRehearsals;
  /** The bot state's store, where another conversation's state is read and its rehearsal let go. */
  store: KeyValueStore;
  /** The bot state's time to live, given again to state written here. */
  stateTtlMs?: number;
  /** ABANDONED_AFTER_DAYS, for the offer to say how long a rehearsal waits. */
  abandonedAfterDays?: number;
}

/** What a conversation's next message says of a rehearsal that left it meanwhile. */
const CLOSED_TEXT: Record<ClosedRehearsal['how'], (title: string) => string> = {
  moved: (title) => `Your rehearsal **${title}** was taken up in another conversation.`,
  abandoned: (title) =>
    `Your rehearsal **${title}** was left unfinished for a while, so it was scored as it stood and kept as abandoned. Type **history** to see its debrief.`,
  dropped: (title) => `Your rehearsal **${title}** was left unfinished with nothing in it to score, so it was closed.`,
};

/** How many rehearsals `history` lists (and `history n` can open). */
const HISTORY_LENGTH = 10;

export class ConversationFlow {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly profile: StatePropertyAccessor<Profile>;
  /** This conversation has been greeted: a new conversation greets a learner met before, once. */
  private readonly greeted: StatePropertyAccessor<boolean>;
  /** A rehearsal that left this conversation between turns (taken up elsewhere, or kept as abandoned). */
  private readonly closedRehearsal: StatePropertyAccessor<ClosedRehearsal | undefined>;
  private readonly dialogs: DialogSet;
  private readonly rehearsal: RehearsalDialog;
  private readonly now: () => Date;

  constructor(private readonly services: FlowServices) {
    this.now = services.now ?? (() => new Date());
    this.dialogState = services.conversationState.createProperty<DialogState>(DIALOG_STATE_PROPERTY);
    this.closedRehearsal = services.conversationState.createProperty<ClosedRehearsal | undefined>(CLOSED_REHEARSAL_PROPERTY);
    this.profile = services.userState.createProperty<Profile>('profile');
    this.greeted = services.conversationState.createProperty<boolean>('greeted');
    this.dialogs = new DialogSet(this.dialogState);
    this.rehearsal = new RehearsalDialog({
      library: services.library,
      evidence: services.evidence,
      log: services.log,
      parts: services.parts,
      saveState: (context) => services.conversationState.saveChanges(context),
      ...(services.references ? { references: services.references } : {}),
      ...(services.unfinished ? { open: services.unfinished.open } : {}),
    });
    this.dialogs.add(this.rehearsal);
    this.dialogs.add(new TextPrompt(REFLECTION_PROMPT));
    this.dialogs.add(
      new WaterfallDialog(REFLECTION, [
        // Already asked in a turn whose state was lost: wait for the answer without asking again.
        async (step) =>
          step.prompt(
            REFLECTION_PROMPT,
            (step.options as ReflectionOptions).alreadyAsked
              ? {}
              : {
                  prompt: MessageFactory.suggestedActions(
                    [SKIP],
                    'Before you go, a short reflection for your evidence: what went well, and what would you do differently? Or skip it.',
                  ),
                },
          ),
        async (step) => this.storeReflection(step),
      ]),
    );
    this.dialogs.add(new TextPrompt(NAME_PROMPT));
    this.dialogs.add(
      new WaterfallDialog(NAME, [
        async (step) => {
          const { cohortName, retry } = step.options as NameOptions & { retry?: boolean };
          // Asked again after a name that could not be used: the reason was just given, so the question is short.
          if (retry) return step.prompt(NAME_PROMPT, 'Please type your name again.');
          return step.prompt(
            NAME_PROMPT,
            `${cohortName ? `To join **${markdownLiteral(cohortName)}**: w` : 'W'}hat name should your tutor see on your evidence? Type your first name and surname, as your tutor knows you.`,
          );
        },
        async (step) => this.storeName(step),
      ]),
    );
  }

  /**
   * A learner joins a conversation: the welcome and the scenario picker the first time we meet
   * them; in a new conversation later (the local page's "New conversation", a new Teams chat), a
   * greeting and the picker. Once per conversation (a reload, or Teams' install and join events
   * together, greet once), unless `always`: a message is always answered.
   */
  async welcome(context: TurnContext, { always = false }: { always?: boolean } = {}): Promise<void> {
    const profile = await this.profileOf(context);
    if (!always && (await this.greeted.get(context, false))) return;
    await this.greeted.set(context, true);
    const dc = await this.dialogs.createContext(context);
    if (profile.welcomed) {
      // Mid-rehearsal in this conversation (a reload): nothing to add; the rehearsal carries on.
      if (dc.activeDialog) return;
      await context.sendActivity(WELCOME_BACK_TEXT);
      await this.tellClosed(context);
      await this.showPicker(context);
      // After the picker, so it is on screen: a long picker would scroll an offer above it out of sight.
      await this.offerUnfinished(context);
      return;
    }
    profile.welcomed = true;
    await context.sendActivity(WELCOME_TEXT);
    await this.showPicker(context);
  }

  async onMessage(context: TurnContext): Promise<void> {
    const profile = await this.profileOf(context);
    const dc = await this.dialogs.createContext(context);
    let command = readCommand(context.activity.text, context.activity.value);
    // "name and postcode, please" said to the customer, or "Name the problem sooner" as a reflection, is an answer, not a command.
    if ((command?.kind === 'name' || command?.kind === 'join') && dc.activeDialog) command = undefined;
    if (!profile.welcomed && !command && !dc.activeDialog) {
      // A message is always answered: the welcome, even where this conversation was greeted once (a
      // learner whose profile was lost since).
      await this.welcome(context, { always: true });
      return;
    }
    profile.welcomed = true;
    // Said before anything else, unless the learner is taking a rehearsal up again here.
    const told = !dc.activeDialog && (await this.tellClosed(context, { silently: command?.kind === 'resume' }));
    if (command) {
      await this.runCommand(dc, command, profile);
      return;
    }
    if (!dc.activeDialog) {
      // Where a rehearsal has just been said to have left, that says it: no second "not in a rehearsal".
      if (!told) await context.sendActivity('You are not in a rehearsal. Type **scenarios** to choose one, or **help** for commands.');
      await this.offerUnfinished(context);
      return;
    }
    const result = await dc.continueDialog();
    if (result.status !== DialogTurnStatus.complete) return;
    const rehearsal = result.result as RehearsalResult | undefined;
    if (rehearsal?.recordId && rehearsal.debriefShown && context.activity.text?.trim()) {
      // The learner was asked for a reflection in a turn whose state was lost: this message is the answer,
      // unless it is their last words to the customer sent again (the turn failed, and they were told to).
      const record = await this.services.evidence.get(rehearsal.recordId);
      const lastLine = record?.turns.filter((t) => t.role === 'learner').at(-1)?.text;
      if (lastLine !== undefined && lastLine.trim() === context.activity.text.trim()) {
        await context.sendActivity(
          'That rehearsal has ended: your debrief is above. Write a short reflection for your evidence (what went well, what would you do differently?), or type **scenarios** to start another.',
        );
        await dc.beginDialog(REFLECTION, { recordId: rehearsal.recordId, alreadyAsked: true } satisfies ReflectionOptions);
        return;
      }
      await dc.beginDialog(REFLECTION, { recordId: rehearsal.recordId, alreadyAsked: true } satisfies ReflectionOptions);
      await dc.continueDialog();
      return;
    }
    await this.afterRehearsal(dc, rehearsal);
  }

  private async runCommand(dc: DialogContext, command: Command, profile: Profile): Promise<void> {
    const context = dc.context;
    const active = RehearsalDialog.activeRehearsalId(dc);
    switch (command.kind) {
      case 'help':
        await context.sendActivity(HELP_TEXT);
        return;
      case 'badCard':
        await context.sendActivity('Sorry, I could not read that card. Type **scenarios** for a fresh one.');
        return;
      case 'scenarios':
        await this.showPicker(context, command);
        if (!active) await this.offerUnfinished(context);
        return;
      case 'resume':
        await this.resume(dc, profile, command.rehearsalId);
        return;
      case 'mode':
        profile.mode = command.mode;
        await context.sendActivity(
          command.mode === 'practice'
            ? 'Practice mode: after a weak reply you will get a short coaching hint. It applies from your next rehearsal.'
            : 'Assessment mode: no hints. It applies from your next rehearsal.',
        );
        return;
      case 'badMode':
        await context.sendActivity(
          `Modes are **practice** (with coaching hints) and **assessment** (without). You are in ${profile.mode} mode.`,
        );
        return;
      case 'history':
        await this.showHistory(context);
        return;
      case 'historyItem':
        await this.showRehearsal(context, command.number);
        return;
      case 'historyRecord':
        await this.showRecord(context, command.recordId);
        return;
      case 'start': {
        if (active) {
          await context.sendActivity('You are in the middle of a rehearsal. Type **end** to finish it first.');
          return;
        }
        await dc.cancelAllDialogs();
        const learner = this.learnerOf(context, profile);
        // An assigned scenario is rehearsed in the mode it was assigned in: an assessment has no hints.
        const assignment = (await this.openAssignments(learner)).find((a) => a.scenario.id === command.scenarioId);
        await this.services.references?.rememberLearner(learner.id, TurnContext.getConversationReference(context.activity));
        if (this.services.parts.models && !profile.toldOfModel) {
          await context.sendActivity(MODEL_NOTICE);
          profile.toldOfModel = true;
        }
        await dc.beginDialog(RehearsalDialog.ID, {
          scenarioId: command.scenarioId,
          mode: assignment?.mode ?? profile.mode,
          learner,
        });
        return;
      }
      case 'join':
        await this.join(dc, profile, command.code);
        return;
      case 'name':
        await this.rename(context, profile, command.name);
        return;
      case 'myData':
        if (!this.services.dataCopyLink) {
          await context.sendActivity('A copy of your data cannot be made here. Ask your tutor or an administrator for one.');
          return;
        }
        await context.sendActivity(
          `Here is a copy of everything ServiceSim keeps about you, as a JSON file: [download your data](${await this.services.dataCopyLink(this.learnerOf(context, profile))}). The link works for 15 minutes. Type **privacy** to read what is kept and why.`,
        );
        return;
      case 'privacy':
        await context.sendActivity(
          this.services.privacyText ?? 'Your rehearsals are kept as evidence for your tutor. Type **my data** for a copy.',
        );
        return;
      case 'end': {
        if (!active || (command.rehearsalId !== undefined && command.rehearsalId !== active)) {
          // A typed "end" names no rehearsal; an out-of-date card names one that has ended.
          await context.sendActivity(
            command.rehearsalId === undefined
              ? 'You are not in a rehearsal. Type **scenarios** to choose one.'
              : 'That rehearsal has already ended. Type **scenarios** to start another.',
          );
          return;
        }
        const result = await this.rehearsal.end(dc);
        await this.afterRehearsal(dc, result.result as RehearsalResult | undefined);
        return;
      }
    }
  }

  /** Says, once, what became of a rehearsal that left this conversation between turns (`silently`: forgets it); whether it said so. */
  private async tellClosed(context: TurnContext, { silently = false } = {}): Promise<boolean> {
    const closed = await this.closedRehearsal.get(context);
    if (!closed) return false;
    await this.closedRehearsal.delete(context);
    if (silently) return false;
    await context.sendActivity((CLOSED_TEXT[closed.how] ?? CLOSED_TEXT.moved)(markdownLiteral(closed.title)));
    return true;
  }

  /**
   * The learner's rehearsals under way in other conversations, as those conversations hold them (a
   * listed one that has ended meanwhile is not offered).
   */
  private async unfinishedElsewhere(context: TurnContext): Promise<{ entry: OpenRehearsal; held: HeldRehearsal }[]> {
    const unfinished = this.services.unfinished;
    if (!unfinished) return [];
    const learnerId = learnerOf(context.activity).id;
    const here = conversationKeyOf(context.activity);
    const found = [];
    for (const entry of await unfinished.open.ofLearner(learnerId)) {
      if (entry.conversation === here) continue;
      const held = await findHeld(unfinished.store, entry.stateKey, entry.rehearsalId);
      if (held && !held.state.ending && held.state.learner.id === learnerId) found.push({ entry, held });
    }
    return found;
  }

  /** Offers to take up the learner's rehearsals left unfinished in other conversations, latest first. */
  private async offerUnfinished(context: TurnContext): Promise<void> {
    const elsewhere = await this.unfinishedElsewhere(context);
    if (elsewhere.length === 0) return;
    const card = resumeCard(
      elsewhere.map((e) => e.entry),
      hostHasUniversalActions(context.activity.channelId),
      this.services.unfinished?.abandonedAfterDays,
    );
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  /**
   * Takes up here the learner's rehearsal from another conversation: listed as held here and put on
   * this conversation's stack first, then let go by the other, checked against what was read. A turn
   * there meanwhile, or the pass keeping it as abandoned (which marks it ending first), wins: the
   * rehearsal is put back, and listed there again.
   */
  private async resume(dc: DialogContext, profile: Profile, rehearsalId: string | undefined): Promise<void> {
    const context = dc.context;
    const unfinished = this.services.unfinished;
    const active = RehearsalDialog.activeRehearsalId(dc);
    if (active) {
      await context.sendActivity(
        active === rehearsalId || rehearsalId === undefined
          ? 'You are in this rehearsal already: reply to the customer, or type **end** to finish it.'
          : 'You are in the middle of a rehearsal here. Finish it (type **end**) before taking up another.',
      );
      return;
    }
    const elsewhere = await this.unfinishedElsewhere(context);
    const found = rehearsalId === undefined ? elsewhere[0] : elsewhere.find((e) => e.entry.rehearsalId === rehearsalId);
    const learner = this.learnerOf(context, profile);
    if (!unfinished || !found) {
      await context.sendActivity(
        'There is no unfinished rehearsal of yours to take up: it may have ended, or been kept as abandoned. Type **history** to see your rehearsals, or **scenarios** to start one.',
      );
      return;
    }
    const { entry, held } = found;
    await dc.cancelAllDialogs();
    await this.rehearsal.takeUp(dc, held.state);
    if (!(await letGo(unfinished.store, entry.stateKey, held, { title: entry.title, how: 'moved' }, unfinished.stateTtlMs))) {
      await this.rehearsal.putBack(dc, entry);
      await context.sendActivity('That rehearsal is busy in another conversation just now. Try **resume** again in a moment.');
      return;
    }
    await this.services.references?.rememberLearner(learner.id, TurnContext.getConversationReference(context.activity));
    await context.sendActivity(`Taking up **${markdownLiteral(entry.title)}** where you left it.`);
    await this.rehearsal.showWhereItWas(dc);
  }

  private async showPicker(context: TurnContext, filter: { problemType?: string; difficulty?: string } = {}): Promise<void> {
    const assigned = await this.openAssignments(this.learnerOf(context, await this.profileOf(context)));
    const card = scenarioPickerCard(this.services.library.scenarios, hostHasUniversalActions(context.activity.channelId), filter, assigned);
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  /** The learner, with the name they gave for their evidence if they gave one. */
  private learnerOf(context: TurnContext, profile: Profile): Learner {
    const learner = learnerOf(context.activity);
    return profile.name ? { ...learner, name: profile.name } : learner;
  }

  /** The scenarios the learner's cohorts assigned and they have not done yet, soonest due first. */
  private async openAssignments(learner: Learner): Promise<AssignedToLearner[]> {
    const cohorts = (await this.services.cohorts?.cohortsOf(learner.id)) ?? [];
    if (cohorts.every((c) => c.assignments.length === 0)) return [];
    const records = await this.services.evidence.listFor(learner.id);
    const today = ukDayOf(this.now());
    const open: AssignedToLearner[] = [];
    for (const cohort of cohorts)
      for (const assignment of cohort.assignments) {
        const scenario = this.services.library.scenarios.find((s) => s.id === assignment.scenarioId);
        if (!scenario || hasDone(assignment, learner.id, records)) continue;
        // The same scenario assigned by two cohorts is shown once: the sooner due, and an assessment over practice.
        const same = open.findIndex((o) => o.scenario.id === scenario.id);
        const entry = {
          scenario,
          due: assignment.due,
          mode: assignment.mode,
          cohortName: cohort.name,
          overdue: isOverdue(assignment, today),
        };
        if (same < 0) open.push(entry);
        else if (assignment.mode === 'assessment' && open[same]!.mode === 'practice') open[same] = entry;
      }
    return open.sort((a, b) => a.due.localeCompare(b.due));
  }

  /** Joins the cohort whose code the learner typed; asks for their name first if there is none to show their tutor. */
  private async join(dc: DialogContext, profile: Profile, code: string): Promise<void> {
    const context = dc.context;
    const cohorts = this.services.cohorts;
    if (!cohorts) {
      await context.sendActivity('Groups are not set up on this ServiceSim, so there is nothing to join.');
      return;
    }
    const learner = this.learnerOf(context, profile);
    // The code is checked first: a learner who mistyped it is told so before being asked anything more.
    const joined = learner.name ? await cohorts.join(code, learner) : await cohorts.cohortOfCode(code, learner.id);
    if (joined === 'too many tries') {
      await context.sendActivity('That is too many wrong codes for now. Check the code with your tutor, and try again in an hour.');
      return;
    }
    if (joined === 'unknown') {
      await context.sendActivity(
        `There is no group with the code **${code.toUpperCase()}**. Check it with your tutor: codes are six letters and numbers.`,
      );
      return;
    }
    if (!('cohort' in joined)) {
      await dc.cancelAllDialogs();
      await dc.beginDialog(NAME, { joinCode: code, cohortName: joined.name } satisfies NameOptions);
      return;
    }
    await this.services.references?.rememberLearner(learner.id, TurnContext.getConversationReference(context.activity));
    const { cohort, already } = joined;
    const open = (await this.openAssignments(learner)).filter((a) => a.cohortName === cohort.name);
    // Names typed by people (the tutor's cohort, the learner's own) are shown as typed, never read as markdown.
    const cohortName = markdownLiteral(cohort.name);
    const learnerName = markdownLiteral(learner.name ?? '');
    await context.sendActivity(
      [
        already
          ? `You are already in **${cohortName}**, as ${learnerName}.`
          : `You have joined **${cohortName}**${cohort.unit ? ` (unit ${cohort.unit})` : ''} as ${learnerName}. Its tutors will see your rehearsals and review them.`,
        open.length > 0
          ? `Assigned to you: ${open.map((a) => `**${a.scenario.title}** (${a.mode}, due ${dueDayText(a.due)})`).join('; ')}. Type **scenarios** to start.`
          : 'Nothing is assigned yet. Type **scenarios** to rehearse whatever you like.',
      ].join('\n\n'),
    );
  }

  /** The learner's name for their evidence, as they type it; their cohorts' lists show it from now on. */
  private async rename(context: TurnContext, profile: Profile, typed: string, { prompted = false } = {}): Promise<boolean> {
    const name = typed.replace(/\s+/g, ' ').trim();
    // Letters of any script, marks, spaces and the punctuation names carry (O'Neil, Smith-Jones, St. John).
    if (name.length === 0 || name.length > MAX_NAME_CHARS || !/^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u.test(name)) {
      await context.sendActivity(
        `A name is letters, with spaces, hyphens or apostrophes, up to ${MAX_NAME_CHARS} characters.${prompted ? '' : ' Type **name** *your name* to try again.'}`,
      );
      return false;
    }
    profile.name = name;
    await this.services.cohorts?.rename(learnerOf(context.activity).id, name);
    await context.sendActivity(`Thank you, ${markdownLiteral(name)}: your tutor will see that name on your rehearsals from now on.`);
    return true;
  }

  private async storeName(step: WaterfallStepContext): Promise<ReturnType<WaterfallStepContext['endDialog']>> {
    const profile = await this.profileOf(step.context);
    const { joinCode } = step.options as NameOptions;
    const named = await this.rename(step.context, profile, String(step.result ?? ''), { prompted: true });
    if (!named) return step.replaceDialog(NAME, { ...(step.options as NameOptions), retry: true });
    await step.endDialog();
    if (joinCode !== undefined) await this.join(step, profile, joinCode);
    return { status: DialogTurnStatus.complete };
  }

  private async afterRehearsal(dc: DialogContext, result: RehearsalResult | undefined): Promise<void> {
    if (result?.recordId) await dc.beginDialog(REFLECTION, { recordId: result.recordId } satisfies ReflectionOptions);
  }

  private async storeReflection(step: WaterfallStepContext): Promise<ReturnType<WaterfallStepContext['endDialog']>> {
    const { recordId } = step.options as ReflectionOptions;
    const record = await this.services.evidence.get(recordId);
    const reflection = reflectionOf(String(step.result ?? ''));
    // "skip" (typed or the button) skips the reflection; it is not saved as one.
    if (reflection === undefined) {
      await step.context.sendActivity('No reflection saved. Type **scenarios** to rehearse again, or **history** to see your rehearsals.');
      return step.endDialog();
    }
    if (record) {
      await this.services.evidence.save({ ...record, reflection });
      await step.context.sendActivity(
        'Thank you: your reflection is saved with this rehearsal. Type **scenarios** to rehearse again, or **history** to see your rehearsals.',
      );
    }
    return step.endDialog();
  }

  private async showHistory(context: TurnContext): Promise<void> {
    const records = (await this.services.evidence.listFor(learnerOf(context.activity).id)).slice(0, HISTORY_LENGTH);
    if (records.length === 0) {
      await context.sendActivity('You have no rehearsals yet. Type **scenarios** to start one.');
      return;
    }
    const reviews = (await this.services.reviews?.currentReviews(records.map((r) => r.id))) ?? new Map();
    const rows = records.map((r) => {
      const review = reviews.get(r.id);
      const { summary } = debriefView({
        title: r.scenario.title,
        report: r.report,
        dimensions: this.services.library.dimensions,
        ...(review ? { review } : {}),
      });
      return { record: r, summary, ...(review ? { reviewed: historyReviewText(review) } : {}) };
    });
    const lines = rows.map(({ record: r, summary, reviewed }, i) => {
      // A line of its own under the rehearsal's, so the two never run together.
      const progress = attemptProgress(r, records);
      return `${i + 1}. ${r.endedAt.slice(0, 16).replace('T', ' ')}: **${r.scenario.title}** (${r.mode}${r.endReason === 'abandoned' ? ', left unfinished' : ''}): ${summary}${r.reflection ? ' · reflection saved' : ''}${progress ? `\n   - ${progress}` : ''}${reviewed ? `\n   - ${reviewed}` : ''}`;
    });
    await context.sendActivity(
      [
        `${rehearsalsHeading(lines.length)}:`,
        ...lines,
        '',
        "Open one below, or type **history** *n* (for example **history 1**), to see its debrief and your tutor's review.",
      ].join('\n'),
    );
    // The same list as a card the learner can open (Teams and the local page).
    await context.sendActivity(
      MessageFactory.attachment(CardFactory.adaptiveCard(historyCard(rows, records, hostHasUniversalActions(context.activity.channelId)))),
    );
  }

  /** A rehearsal opened from the history card, as its debrief: the learner's own only. */
  private async showRecord(context: TurnContext, recordId: string): Promise<void> {
    const record = await this.services.evidence.get(recordId);
    if (!record || record.learner.id !== learnerOf(context.activity).id) {
      await context.sendActivity('That rehearsal is not in your history. Type **history** to see the list.');
      return;
    }
    await this.sendRecordDebrief(context, record);
  }

  /** One rehearsal from the history by its number in the list (`history n`), as its debrief. */
  private async showRehearsal(context: TurnContext, number: number): Promise<void> {
    const records = (await this.services.evidence.listFor(learnerOf(context.activity).id)).slice(0, HISTORY_LENGTH);
    const record = records[number - 1];
    if (!record) {
      await context.sendActivity(
        records.length === 0
          ? 'You have no rehearsals yet. Type **scenarios** to start one.'
          : `Choose a number from 1 to ${records.length}: type **history** to see the list.`,
      );
      return;
    }
    await this.sendRecordDebrief(context, record);
  }

  /** A rehearsal's debrief again, with its tutor's latest review once there is one. */
  private async sendRecordDebrief(context: TurnContext, record: EvidenceRecord): Promise<void> {
    const review = (await this.services.reviews?.reviewsOf(record.id))?.at(-1);
    const card = recordDebriefCard(record, this.services.library, review, debriefRefreshFor(context));
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  /**
   * A debrief card as it is now, for Teams' refresh of it (Universal Actions): with the tutor's
   * latest review. Undefined for a request that is not for one of the learner's own rehearsals.
   */
  async refreshedDebrief(context: TurnContext, data: unknown): Promise<Record<string, unknown> | undefined> {
    const parsed = DebriefRefreshSchema.safeParse(data);
    if (!parsed.success) return undefined;
    const record = await this.services.evidence.get(parsed.data.recordId);
    if (!record || record.learner.id !== learnerOf(context.activity).id) return undefined;
    const review = (await this.services.reviews?.reviewsOf(record.id))?.at(-1);
    return recordDebriefCard(record, this.services.library, review, debriefRefreshFor(context));
  }

  private async profileOf(context: TurnContext): Promise<Profile> {
    return this.profile.get(context, { mode: 'practice', welcomed: false });
  }
}
