/**
 * The scripted customer: plays a scenario's customer turn by turn, offline and deterministically.
 *
 * @remarks
 * It reacts to the same reading of each learner turn that the scorer levels (`learner-turn.ts`),
 * so the customer and the scorer never disagree about what the learner did. Its state is plain
 * data, so a host can store it between turns and carry on after a restart.
 *
 * In a scenario the learner opens (`openedBy: learner`) it says nothing first: its opening line is
 * its answer to the learner's first message, followed by whatever else that message draws from it.
 * News the scenario names (`moodEvents`) moves its mood apart from how it is spoken to.
 */
import { z } from 'zod';
import { routeFor } from './authority-check.ts';
import { IncompatibleStateError, type ComponentIdentity, type ComponentState } from './component-identity.ts';
import type { Customer, CustomerReply as HostReply } from './customer.ts';
import { lineContext, linesFor, type LineKind } from './customer-lines.ts';
import type { LearnerTurn } from './learner-turn.ts';
import { moodAfterNews, newsIn, type StatusWithNews } from './mood-events.ts';
import { anyOf, sequence } from './phrase-pattern.ts';
import type { Scenario } from './scenario-schema.ts';
import { pickLine } from './seeded-choice.ts';
import { contentWords, plainLower } from './utterance.ts';

/** Bump whenever the same learner turns could get different replies. */
export const SCRIPTED_CUSTOMER_IDENTITY: ComponentIdentity = { kind: 'scripted', id: 'scripted-customer', version: '2026.12.02' };
const STATE_VERSION = 1;

/** Settings of the scripted customer; it has none yet, but is created like every other customer. */
export type ScriptedCustomerSettings = Record<string, never>;

export function createScriptedCustomer(_settings: ScriptedCustomerSettings = {}): Customer {
  const toHost = ({ text, state, moodFromNews }: ScriptedReply): HostReply => {
    const status: StatusWithNews = {
      mood: state.mood,
      ended: state.ended,
      ...(state.endReason ? { endReason: state.endReason } : {}),
      ...(moodFromNews ? { moodFromNews } : {}),
    };
    return { text, state: { kind: SCRIPTED_CUSTOMER_IDENTITY.kind, version: STATE_VERSION, ...state }, status };
  };
  return {
    identity: SCRIPTED_CUSTOMER_IDENTITY,
    open: async ({ scenario, seed }) => toHost(startCustomer(scenario, seed)),
    reply: async ({ scenario, state, reading }) => toHost(customerReply(scenario, readScriptedState(state), reading)),
  };
}

const ScriptedStateSchema = z.object({
  mood: z.number().int().min(0).max(4),
  revealed: z.array(z.string()),
  told: z.record(z.string(), z.string()).optional(),
  pushbacksLeft: z.number().int(),
  accepted: z.string().optional(),
  closingWith: z.enum(['referred', 'escalated']).optional(),
  awaitingApproval: z.boolean(),
  demanded: z.boolean(),
  asked: z.boolean().optional(),
  openingDue: z.boolean().optional(),
  heard: z.array(z.number().int().min(0)).optional(),
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
  /** The words each fact was told in, so that asking again gets the same answer (absent in older state). */
  told?: Record<string, string>;
  pushbacksLeft: number;
  /** The option the customer has accepted, waiting for the learner to confirm it. */
  accepted?: string;
  /**
   * A referral or an escalation the customer has accepted: the conversation ends this way once the
   * learner confirms or closes, so they can still say what happens next.
   */
  closingWith?: 'referred' | 'escalated';
  /** The learner has asked someone with authority; the customer waits to hear back. */
  awaitingApproval: boolean;
  /** The customer has pressed their own demand (`customer.asksFor`). */
  demanded: boolean;
  /** The customer's last message asked the learner something. */
  asked?: boolean;
  /** The learner opened the conversation and the customer has not yet spoken: its opening answers them. */
  openingDue?: boolean;
  /** Indices of the scenario's mood events heard so far (absent in older state: none). */
  heard?: number[];
  ended: boolean;
  endReason?: 'agreed' | 'referred' | 'escalated' | 'learner-ended';
  /** The last few lines said, so none is said twice in a row. */
  recent: string[];
  seed: string;
}

interface ScriptedReply {
  text: string;
  state: ScriptedState;
  /** Steps the mood moved on hearing news in this message (`mood-events.ts`). */
  moodFromNews?: number;
}

/** The customer's first words; none when the learner opens, whose first message the opening answers. */
function startCustomer(scenario: Scenario, seed = scenario.id): ScriptedReply {
  const opening = scenario.customer.opening;
  const learnerOpens = scenario.openedBy === 'learner';
  const state: ScriptedState = {
    mood: scenario.customer.mood,
    revealed: [],
    told: {},
    pushbacksLeft: scenario.customer.persistence,
    awaitingApproval: false,
    demanded: false,
    asked: !learnerOpens && opening.includes('?'),
    ...(learnerOpens ? { openingDue: true } : {}),
    heard: [],
    ended: false,
    recent: learnerOpens ? [] : [opening],
    seed,
  };
  return { text: learnerOpens ? '' : opening, state };
}

/**
 * The customer's answer to one learner turn, built as a person would: a reaction to how they were
 * spoken to, an answer to each question asked, then at most one stance on what is proposed (push
 * back, accept, ask who else, wait, or accept a referral). It never says goodbye in the message in
 * which it accepts: the learner confirms or closes first.
 */
function customerReply(scenario: Scenario, previous: ScriptedState, turn: LearnerTurn): ScriptedReply {
  const state: ScriptedState = {
    ...previous,
    revealed: [...previous.revealed],
    told: { ...previous.told },
    heard: [...(previous.heard ?? [])],
    recent: [...previous.recent],
  };
  delete state.openingDue;
  const m = turn.moves;
  const has = (...kinds: Array<keyof typeof m>) => kinds.some((k) => (m[k]?.length ?? 0) > 0);
  const specific = turn.commitments.some((c) => c.when);
  // A callback or an investigation is a next step, not a resolution to accept or refuse.
  const firmOffers = turn.offers.filter((o) => !o.conditional && o.action !== 'investigation' && o.action !== 'callback');
  const context = lineContext({
    scenario,
    turn,
    offered: firmOffers.length > 0,
    toldBefore: previous.revealed.length > 0 || previous.demanded,
    customerAsked: previous.asked ?? false,
  });
  const parts: string[] = [];
  const utter = (line: string) => {
    parts.push(line);
    state.recent = [...state.recent.slice(-5), line];
  };
  const say = (kind: LineKind, fill: Record<string, string> = {}) => {
    // Filled in before choosing, so "never the same line twice" compares what is actually said.
    const candidates = linesFor(scenario, kind, context, state.recent).map((line) =>
      Object.entries(fill).reduce((l, [key, value]) => l.replace(`{${key}}`, value), line),
    );
    // Only a fact told before is repeated, so there is always a wording; were there none, say nothing.
    if (candidates.length > 0) utter(pickLine(candidates, `${state.seed}:${turn.turn}:${kind}:${parts.length}`, state.recent));
  };
  let moodFromNews = 0;
  const end = (reason: NonNullable<ScriptedState['endReason']>) => ({ ...finish(state, parts, reason), moodFromNews });
  // Asked to speak first by the learner, the customer answers with its opening, then to the rest.
  if (previous.openingDue) utter(scenario.customer.opening);
  // What the customer has agreed to so far, and so how the conversation ends when the learner closes.
  const agreed = previous.accepted ? 'agreed' : previous.closingWith;

  if (has('closeConversation') && !has('openQuestion', 'closedQuestion') && turn.offers.length === 0) {
    say('goodbye');
    return end(agreed ?? 'learner-ended');
  }

  const botQuestion = BOT_QUESTION.test(plainLower(turn.text));
  // News the scenario names (`moodEvents`): it moves the mood whatever the manner it is given in.
  // News about the problem, even once-only news heard before, is never small talk.
  const anyNews = botQuestion ? [] : newsIn(scenario, turn.text);
  const news = anyNews.filter(({ index, event }) => !(event.once && previous.heard?.includes(index)));
  const offTopic = !botQuestion && anyNews.length === 0 && isOffTopic(scenario, turn);

  // What makes it worse, in the order a person would react to it.
  const refusedWithoutReason = turn.refusals.length > 0 && !has('reason');
  // Once something is agreed, a learner adding to it ignores nothing.
  // Nor is anything ignored when the customer has not yet spoken, or hears news about the problem.
  const ignoring =
    !botQuestion &&
    !agreed &&
    !previous.openingDue &&
    anyNews.length === 0 &&
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
        : // "Is this AI?" asks what the customer is; its short form is no jargon.
          has('jargon') && !botQuestion
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
  // The news moves the mood after the manner has, and is kept apart so the host can tell the two.
  const mannerMood = state.mood;
  state.mood = moodAfterNews(state.mood, news);
  moodFromNews = state.mood - mannerMood;
  for (const { index } of news) if (!state.heard!.includes(index)) state.heard!.push(index);
  // A line for the news, unless said lately (news heard every time need not be answered the same way each time).
  const newsLines = news.flatMap(({ event }) => (event.says && !state.recent.includes(event.says) ? [event.says] : []));
  // Small talk is met by steering back to the problem, not with a complaint about what was not said.
  if (worse === 'ignored' && offTopic) say('offTopic');
  // Provoked again when already angry, the customer says so in the scenario's own words.
  else if (worse) say(before >= 3 && (worse === 'ignored' || worse === 'vague') ? 'angrier' : worse);
  // Calmed by news, the customer says so in the news's own line rather than a general one.
  else if (
    newsLines.length === 0 &&
    mannerMood < before &&
    mannerMood <= 1 &&
    !has('openQuestion', 'closedQuestion') &&
    firmOffers.length === 0
  )
    say('calmer');
  for (const line of newsLines) utter(line);

  // Answers: each question gets its own, in the order asked. A hidden fact is told when asked about
  // one of its topics, and told again in the same words when asked again. An open question ("what
  // happened?") gets the customer talking, but the cause still needs probing questions.
  if (botQuestion) say('botQuestion');
  // "Is there anything else I can help with?" closes; it asks about nothing, whatever its words.
  const closingQuotes = [...(m.checkSatisfaction ?? []), ...(m.confirm ?? [])];
  const asking = [...(m.openQuestion ?? []), ...(m.closedQuestion ?? [])].some((q) => !closingQuotes.includes(q));
  const factsAsked = asking || turn.factsAsked.length === 0 ? turn.factsAsked : [];
  const storyFact =
    has('openQuestion') && asking && !offTopic && !botQuestion && factsAsked.length === 0
      ? scenario.facts.find((f) => !f.cause && !state.revealed.includes(f.id))?.id
      : undefined;
  for (const id of storyFact ? [storyFact] : factsAsked) {
    const fact = scenario.facts.find((f) => f.id === id)!;
    if (previous.revealed.includes(id)) {
      say('repeat', { fact: lowerFirst(state.told![id] ?? fact.says[0]!) });
    } else if (!state.revealed.includes(id)) {
      const line = pickLine(fact.says, `${state.seed}:${turn.turn}:${id}`, state.recent);
      utter(line);
      state.revealed.push(id);
      state.told![id] = line;
    }
  }
  // The opening, said first, is the answer to a first message's greeting ("is that Mr Price?").
  const answered = botQuestion || storyFact !== undefined || factsAsked.length > 0 || previous.openingDue === true;
  if (!answered && offTopic && worse !== 'ignored') say('offTopic');
  else if (!answered && has('checkUnderstanding') && !worse) say('confirmUnderstanding');
  else if (!answered && asking && !worse && firmOffers.length === 0 && !has('seekAgreement'))
    say(scenario.customer.traits.includes('confused') ? 'confused' : 'unknown');

  // The learner confirms or closes what was agreed: the customer says goodbye, and nothing else.
  if (agreed && has('confirm', 'checkSatisfaction') && !worse) {
    say('goodbye');
    return end(agreed);
  }

  // At most one stance on what is proposed, so a reply never accepts and refuses at once.
  let stance = false;
  if (firmOffers.length > 0 && !worse) {
    stance = true;
    const options = firmOffers.map((o) => scenario.options.find((opt) => opt.action === o.action)).filter((o) => o !== undefined);
    const best =
      options.find((o) => o.customerReaction === 'accept') ?? options.find((o) => o.customerReaction === 'pushback') ?? options[0];
    const wanted = firmOffers.some((o) => o.action === scenario.customer.asksFor?.action);
    let pushedBack = false;
    if (wanted) {
      say('accept');
      state.accepted = scenario.customer.asksFor!.action;
    } else if (!best || best.customerReaction === 'reject' || !best.workable) {
      say('pushback');
      pushedBack = true;
    } else if (best.customerReaction === 'pushback' ? state.pushbacksLeft > 0 : state.pushbacksLeft > 1) {
      // An option the customer likes meets resistance only from a very persistent customer.
      state.pushbacksLeft -= 1;
      say('pushback');
      pushedBack = true;
    } else {
      say('accept');
      state.accepted = best.id;
    }
    // Not too cooperative: pushing back, the customer presses for what they came for (once).
    const ask = scenario.customer.asksFor;
    if (ask && pushedBack && !state.demanded) {
      utter(ask.says);
      state.demanded = true;
    }
  }

  // Refusals, approval and referral.
  if (!worse && !stance && turn.refusals.length > 0 && has('reason') && !has('refer') && !has('seekApproval', 'escalate')) {
    say('askWhoElse');
    stance = true;
  }
  // An offer made after asking, or a refusal of what needed approval, is the decision coming back.
  const decided =
    firmOffers.some((o) => o.afterApproval) ||
    turn.refusals.some((r) => r.action && routeFor(scenario.authority, r.action).kind === 'approval');
  if (decided && !has('seekApproval')) state.awaitingApproval = false;
  if (!worse && has('seekApproval', 'escalate')) {
    state.awaitingApproval = true;
    if (!specific && !stance) {
      say('waitForApproval');
      stance = true;
    }
  }
  const closing = has('checkSatisfaction', 'closeConversation');
  if (!worse && !stance && has('refer') && (has('reason') || !scenario.resolvable) && (turn.refusals.length > 0 || !scenario.resolvable)) {
    // Ends only once the learner closes: here, or in a later message.
    if (closing) {
      say('goodbye');
      return end('referred');
    }
    say('referralAccepted');
    state.closingWith = 'referred';
    stance = true;
  }
  // Still finding things out, the learner is not handing over yet ("anything else?" is a close).
  if (
    !worse &&
    !stance &&
    (state.awaitingApproval || has('escalate')) &&
    specific &&
    firmOffers.length === 0 &&
    !state.accepted &&
    !has('openQuestion') &&
    factsAsked.length === 0
  ) {
    if (closing) {
      say('goodbye');
      return end('escalated');
    }
    say('awaitNews');
    state.closingWith = 'escalated';
  }

  if (parts.length === 0) say(state.accepted || state.closingWith ? 'noted' : 'nudge');
  return { text: parts.join(' '), state: { ...state, asked: parts.some((p) => p.includes('?')) }, moodFromNews };
}

/**
 * "Are you a bot?", "is this AI?", "am I talking to a real person?": answered in character, as a
 * customer would answer it. The word must close the question ("is this a computer fault?" asks about
 * the problem). Phrases are data, to be added to.
 */
const BOT_QUESTION = sequence([
  /\b(?:are you|is this|am i (?:talking|speaking|chatting) (?:to|with)) (?:just |actually |really )?(?:a |an )?(?:real )?/,
  anyOf([
    'bot',
    'robot',
    'chatbot',
    'ai',
    'a.i.',
    'computer',
    'machine',
    'human',
    'human being',
    'person',
    'real',
    'automated',
    'chatgpt',
    'chat gpt',
    'program',
    'simulation',
  ]),
  /(?=\s*(?:[?.!]|$|or\b))/,
]);

/**
 * Words of ordinary service talk: a message of these is about the problem in any scenario, even
 * when the scenario never uses them. Data, to be added to when a real question is read as small talk.
 */
const SERVICE_TALK = new Set(
  (
    'name address postcode number phone mobile email account reference detail details happen problem issue help time day ' +
    'date today yesterday tomorrow week month year contact call ring order booking payment pay money card bill receipt ' +
    'price cost refund deliver delivery speak talk tell explain know mean understand sort fix wrong work start notice ' +
    'first last feel want need like prefer expect hope matter thing situation experience else more sure right okay ok ' +
    'sorry hello hi morning afternoon evening thank thanks ask question answer check confirm look find see ' +
    'wait long much many often ago already still yet sir madam mr mrs ms miss please go going gone went come came ' +
    'try tried trying seem seems get got happened happening good hmm um er well'
  ).split(' '),
);

const SCENARIO_WORDS = new WeakMap<Scenario, Set<string>>();

/** Everything the scenario's people could talk about, as content words; read once per scenario. */
function scenarioWords(scenario: Scenario): Set<string> {
  let words = SCENARIO_WORDS.get(scenario);
  if (!words) {
    const { setting, customer } = scenario;
    words = contentWords(
      [
        scenario.title,
        scenario.summary,
        scenario.briefing,
        scenario.unresolvableBecause ?? '',
        ...Object.values(setting),
        customer.name,
        customer.opening,
        customer.wants,
        customer.asksFor?.says ?? '',
        ...scenario.facts.flatMap((f) => [f.fact, ...f.topics, ...f.says]),
        scenario.cause.summary,
        ...scenario.options.map((o) => o.description),
        ...scenario.sourcesOfHelp.flatMap((s) => [s.name, s.when]),
        ...scenario.policy.flatMap((p) => [p.title, p.says]),
        ...scenario.moodEvents.flatMap((e) => [...e.hears, e.says ?? '']),
      ].join('\n'),
    );
    SCENARIO_WORDS.set(scenario, words);
  }
  return words;
}

/**
 * Small talk: the message does nothing a service conversation does (no behaviour but asking, no
 * question about a fact, no offer), and most of its words belong neither to the scenario nor to
 * ordinary service talk ("what's your favourite football team?"). So an open question about
 * something else never draws the customer's story out.
 */
function isOffTopic(scenario: Scenario, turn: LearnerTurn): boolean {
  const moves = Object.keys(turn.moves).filter((k) => k !== 'openQuestion' && k !== 'closedQuestion');
  if (moves.length > 0 || turn.factsAsked.length > 0 || turn.offers.length > 0 || turn.refusals.length > 0) return false;
  if (turn.mentioned.length > 0 || turn.commitments.length > 0 || turn.sourcesNamed.length > 0) return false;
  const words = [...contentWords(turn.text)].filter((w) => !/^\d/.test(w));
  const known = scenarioWords(scenario);
  const strange = words.filter((w) => !known.has(w) && !SERVICE_TALK.has(w));
  return strange.length > words.length / 2;
}

function finish(state: ScriptedState, parts: string[], reason: NonNullable<ScriptedState['endReason']>): ScriptedReply {
  return { text: parts.join(' '), state: { ...state, asked: false, ended: true, endReason: reason } };
}

function lowerFirst(text: string): string {
  return /^[A-Z](?:[a-z]| )/.test(text) && !/^I\b/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
