/**
 * The scripted customer: plays a scenario's customer turn by turn, offline and deterministically.
 *
 * @remarks
 * It reacts to the same reading of each learner turn that the scorer levels (`learner-turn.ts`),
 * so the customer and the scorer never disagree about what the learner did. Its state is plain
 * data, so a host can store it between turns and carry on after a restart.
 */
import { z } from 'zod';
import { routeFor } from './authority-check.ts';
import { IncompatibleStateError, type ComponentIdentity, type ComponentState } from './component-identity.ts';
import type { Customer, CustomerReply as HostReply } from './customer.ts';
import { linesFor, type LineKind } from './customer-lines.ts';
import type { LearnerTurn } from './learner-turn.ts';
import type { Scenario } from './scenario-schema.ts';
import { pickLine } from './seeded-choice.ts';

/** Bump whenever the same learner turns could get different replies. */
export const SCRIPTED_CUSTOMER_IDENTITY: ComponentIdentity = { kind: 'scripted', id: 'scripted-customer', version: '2026.11.29' };
const STATE_VERSION = 1;

/** Settings of the scripted customer; it has none yet, but is created like every other customer. */
export type ScriptedCustomerSettings = Record<string, never>;

export function createScriptedCustomer(_settings: ScriptedCustomerSettings = {}): Customer {
  const toHost = ({ text, state }: ScriptedReply): HostReply => ({
    text,
    state: { kind: SCRIPTED_CUSTOMER_IDENTITY.kind, version: STATE_VERSION, ...state },
    status: { mood: state.mood, ended: state.ended, ...(state.endReason ? { endReason: state.endReason } : {}) },
  });
  return {
    identity: SCRIPTED_CUSTOMER_IDENTITY,
    open: async ({ scenario, seed }) => toHost(startCustomer(scenario, seed)),
    reply: async ({ scenario, state, reading }) => toHost(customerReply(scenario, readScriptedState(state), reading)),
  };
}

const ScriptedStateSchema = z.object({
  mood: z.number().int().min(0).max(4),
  revealed: z.array(z.string()),
  pushbacksLeft: z.number().int(),
  accepted: z.string().optional(),
  awaitingApproval: z.boolean(),
  demanded: z.boolean(),
  ended: z.boolean(),
  endReason: z.enum(['agreed', 'referred', 'escalated', 'learner-ended']).optional(),
  recent: z.array(z.string()),
  seed: z.string(),
});

/**
 * The scripted customer's own state, from what the host stored. State saved before states carried
 * a kind and version (the same fields, untagged) is read as version 1.
 */
export function readScriptedState(stored: ComponentState | Record<string, unknown>): ScriptedState {
  const { kind, version, ...fields } = stored as Record<string, unknown>;
  const untagged = kind === undefined && version === undefined;
  if (!untagged && (kind !== SCRIPTED_CUSTOMER_IDENTITY.kind || version !== STATE_VERSION))
    throw new IncompatibleStateError('the scripted customer', { kind, version });
  const parsed = ScriptedStateSchema.safeParse(fields);
  if (!parsed.success)
    throw new IncompatibleStateError('the scripted customer', { kind, version, problem: parsed.error.issues[0]?.message });
  return parsed.data;
}

export interface ScriptedState {
  mood: number;
  /** Ids of the hidden facts told so far. */
  revealed: string[];
  pushbacksLeft: number;
  /** The option the customer has accepted, waiting for the learner to confirm it. */
  accepted?: string;
  /** The learner has asked someone with authority; the customer waits to hear back. */
  awaitingApproval: boolean;
  /** The customer has pressed their own demand (`customer.asksFor`). */
  demanded: boolean;
  ended: boolean;
  endReason?: 'agreed' | 'referred' | 'escalated' | 'learner-ended';
  /** The last few lines said, so none is said twice in a row. */
  recent: string[];
  seed: string;
}

interface ScriptedReply {
  text: string;
  state: ScriptedState;
}

function startCustomer(scenario: Scenario, seed = scenario.id): ScriptedReply {
  const state: ScriptedState = {
    mood: scenario.customer.mood,
    revealed: [],
    pushbacksLeft: scenario.customer.persistence,
    awaitingApproval: false,
    demanded: false,
    ended: false,
    recent: [scenario.customer.opening],
    seed,
  };
  return { text: scenario.customer.opening, state };
}

/** The customer's answer to one learner turn. */
function customerReply(scenario: Scenario, previous: ScriptedState, turn: LearnerTurn): ScriptedReply {
  const state: ScriptedState = { ...previous, revealed: [...previous.revealed], recent: [...previous.recent] };
  const parts: string[] = [];
  const say = (kind: LineKind, fill: Record<string, string> = {}) => {
    // Filled in before choosing, so "never the same line twice" compares what is actually said.
    const candidates = linesFor(scenario, kind).map((line) =>
      Object.entries(fill).reduce((l, [key, value]) => l.replace(`{${key}}`, value), line),
    );
    const line = pickLine(candidates, `${state.seed}:${turn.turn}:${kind}:${parts.length}`, state.recent);
    parts.push(line);
    state.recent = [...state.recent.slice(-5), line];
  };
  const m = turn.moves;
  const has = (...kinds: Array<keyof typeof m>) => kinds.some((k) => (m[k]?.length ?? 0) > 0);

  if (has('closeConversation') && !has('openQuestion', 'closedQuestion') && turn.offers.length === 0) {
    say('goodbye');
    return finish(state, parts, 'learner-ended');
  }

  // What makes it worse, in the order a person would react to it.
  const specific = turn.commitments.some((c) => c.when);
  // A callback or an investigation is a next step, not a resolution to accept or refuse.
  const firmOffers = turn.offers.filter((o) => !o.conditional && o.action !== 'investigation' && o.action !== 'callback');
  const refusedWithoutReason = turn.refusals.length > 0 && !has('reason');
  const ignoring =
    !has(
      'empathise',
      'reflect',
      'acknowledge',
      'apologise',
      'openQuestion',
      'closedQuestion',
      'informNext',
      'seekApproval',
      'escalate',
      'refer',
      'checkUnderstanding',
      'confirm',
      'seekAgreement',
    ) &&
    firmOffers.length === 0 &&
    turn.refusals.length === 0;
  const worse: LineKind | undefined = has('calmDown')
    ? 'calmDown'
    : has('blame')
      ? 'blamed'
      : has('dismiss')
        ? 'dismissed'
        : has('jargon')
          ? 'jargon'
          : refusedWithoutReason
            ? 'askWhy'
            : (has('vaguePromise') || has('placate')) && !specific
              ? 'vague'
              : ignoring
                ? 'ignored'
                : undefined;
  const calming = has('empathise', 'reflect') || (has('apologise', 'acknowledge') && state.mood <= 2) || (specific && has('informNext'));
  const before = state.mood;
  if (worse) state.mood = Math.min(4, state.mood + 1);
  else if (calming) state.mood = Math.max(0, state.mood - 1);
  // Provoked again when already angry, the customer says so in the scenario's own words.
  if (worse) say(before >= 3 && (worse === 'ignored' || worse === 'vague') ? 'angrier' : worse);
  else if (state.mood < before && state.mood <= 1 && !has('openQuestion', 'closedQuestion') && firmOffers.length === 0) say('calmer');

  // Questions: a hidden fact is revealed when asked about one of its topics. An open question
  // ("what happened?") gets the customer talking, but the cause still needs probing questions.
  const storyFact = has('openQuestion') ? scenario.facts.find((f) => !f.cause && !state.revealed.includes(f.id))?.id : undefined;
  const fresh = turn.factsAsked.find((id) => !state.revealed.includes(id)) ?? (turn.factsAsked.length === 0 ? storyFact : undefined);
  if (fresh) {
    const fact = scenario.facts.find((f) => f.id === fresh)!;
    parts.push(pickLine(fact.says, `${state.seed}:${turn.turn}:${fresh}`, state.recent));
    state.recent = [...state.recent.slice(-5), parts.at(-1)!];
    state.revealed.push(fresh);
  } else if (turn.factsAsked.length > 0 && !worse) {
    const fact = scenario.facts.find((f) => f.id === turn.factsAsked[0])!;
    say('repeat', { fact: lowerFirst(fact.says[0]!) });
  } else if (has('checkUnderstanding') && !worse) {
    say('confirmUnderstanding');
  } else if (has('openQuestion', 'closedQuestion') && !worse && firmOffers.length === 0 && !has('seekAgreement')) {
    say(scenario.customer.traits.includes('confused') ? 'confused' : 'unknown');
  }

  // Offers: accept a workable one (after pushing back as often as the persona does).
  if (firmOffers.length > 0 && !worse) {
    const options = firmOffers.map((o) => scenario.options.find((opt) => opt.action === o.action)).filter((o) => o !== undefined);
    const best =
      options.find((o) => o.customerReaction === 'accept') ?? options.find((o) => o.customerReaction === 'pushback') ?? options[0];
    const wanted = firmOffers.some((o) => o.action === scenario.customer.asksFor?.action);
    if (wanted) {
      say('accept');
      state.accepted = scenario.customer.asksFor!.action;
    } else if (!best || best.customerReaction === 'reject' || !best.workable) {
      say('pushback');
    } else if (best.customerReaction === 'pushback' ? state.pushbacksLeft > 0 : state.pushbacksLeft > 1) {
      // An option the customer likes meets resistance only from a very persistent customer.
      state.pushbacksLeft -= 1;
      say('pushback');
    } else {
      say('accept');
      state.accepted = best.id;
    }
    // Not too cooperative: once something is on the table, the customer presses for what they came for.
    const ask = scenario.customer.asksFor;
    if (ask && !state.demanded && !wanted) {
      parts.push(ask.says);
      state.demanded = true;
    }
  }

  // Refusals, approval and referral.
  if (!worse && turn.refusals.length > 0 && has('reason') && !has('refer') && !has('seekApproval', 'escalate')) say('askWhoElse');
  // An offer made after asking, or a refusal of what needed approval, is the decision coming back.
  const decided =
    firmOffers.some((o) => o.afterApproval) ||
    turn.refusals.some((r) => r.action && routeFor(scenario.authority, r.action).kind === 'approval');
  if (decided && !has('seekApproval')) state.awaitingApproval = false;
  if (!worse && has('seekApproval', 'escalate')) {
    state.awaitingApproval = true;
    if (!specific) say('waitForApproval');
  }
  if (!worse && has('refer') && (has('reason') || !scenario.resolvable) && (turn.refusals.length > 0 || !scenario.resolvable)) {
    say('referralAccepted');
    return finish(state, parts, 'referred');
  }
  // Still finding things out, the learner is not handing over yet ("anything else?" is a close).
  if (
    !worse &&
    (state.awaitingApproval || has('escalate')) &&
    specific &&
    firmOffers.length === 0 &&
    !state.accepted &&
    !has('openQuestion') &&
    turn.factsAsked.length === 0
  ) {
    say('accept');
    say('goodbye');
    return finish(state, parts, 'escalated');
  }

  // Closing: an accepted option, confirmed by the learner, ends the conversation.
  if (previous.accepted && has('confirm', 'checkSatisfaction') && !worse) {
    say('goodbye');
    return finish(state, parts, 'agreed');
  }

  if (parts.length === 0) say(state.accepted ? 'accept' : 'nudge');
  return { text: parts.join(' '), state };
}

function finish(state: ScriptedState, parts: string[], reason: NonNullable<ScriptedState['endReason']>): ScriptedReply {
  return { text: parts.join(' '), state: { ...state, ended: true, endReason: reason } };
}

function lowerFirst(text: string): string {
  return /^[A-Z](?:[a-z]| )/.test(text) && !/^I\b/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
