/**
 * How each rubric dimension is levelled from what the learner did. Each judge reads the learner
 * turns of a whole conversation (or of one turn, for per-turn levels) and returns a level with the
 * quoted evidence and one concrete suggestion.
 *
 * @remarks
 * The ladders follow the descriptors in `rubrics/dimensions.yaml`: harmful behaviour is 0; a
 * behaviour shown once and generically is 1; the behaviour shown specifically is 2; shown
 * consistently with its follow-through (checking, confirming, naming who and when) is 3.
 */
import type { Breach, DimensionScore, Evidence } from './score-report.ts';
import { isMoney, type LearnerTurn, type Moves } from './learner-turn.ts';
import type { ActionKind, Scenario } from './scenario-schema.ts';
import { routeFor } from './authority-check.ts';
import { modelLine } from './model-lines.ts';
import { phrases } from './phrase-pattern.ts';

export interface JudgeInput {
  scenario: Scenario;
  turns: readonly LearnerTurn[];
  breaches: readonly Breach[];
  /** False for a single turn judged on its own: conversation-wide expectations do not apply. */
  whole: boolean;
}

export type Judge = (input: JudgeInput) => DimensionScore;

type MoveKey = keyof Moves;

function evidenceOf(turns: readonly LearnerTurn[], kind: MoveKey, reason: string, limit = 3): Evidence[] {
  const out: Evidence[] = [];
  for (const turn of turns) {
    for (const quote of turn.moves[kind] ?? []) {
      if (out.length < limit) out.push({ turn: turn.turn, quote, reason });
    }
  }
  return out;
}

function turnsWith(turns: readonly LearnerTurn[], ...kinds: MoveKey[]): number {
  return turns.filter((t) => kinds.some((k) => (t.moves[k]?.length ?? 0) > 0)).length;
}

function score(level: number | null, evidence: Evidence[], suggestion: string): DimensionScore {
  return { level, max: 3, evidence, suggestion };
}

export const judgeListening: Judge = ({ scenario, turns, whole }) => {
  const harmful = evidenceOf(turns, 'dismiss', 'dismisses the problem').concat(evidenceOf(turns, 'blame', 'blames the customer'));
  const empathy = evidenceOf(turns, 'empathise', 'names how the customer feels');
  const reflect = evidenceOf(turns, 'reflect', 'reflects back what the customer said');
  const generic = evidenceOf(turns, 'acknowledge', 'acknowledges').concat(evidenceOf(turns, 'apologise', 'apologises'));
  const reflectingTurns = turnsWith(turns, 'reflect', 'checkUnderstanding');
  const shown = turnsWith(turns, 'empathise', 'reflect', 'acknowledge', 'apologise', 'checkUnderstanding');
  const evidence = [...harmful, ...reflect, ...empathy, ...generic].slice(0, 4);
  if (harmful.length > 0 && reflect.length === 0) {
    return score(
      0,
      evidence,
      `Acknowledge the problem before anything else, in your own words, e.g. "${modelLine('listening', scenario)}"`,
    );
  }
  if (empathy.length + reflect.length + generic.length === 0) {
    return score(
      0,
      evidence,
      'Show you have heard the customer: name the problem and how it affects them, e.g. "That sounds really stressful, and it\'s not what you expected from us."',
    );
  }
  // Naming the customer's feelings again and again, turn after turn, is listening even without an echo.
  const empathicTurns = turnsWith(turns, 'empathise');
  if (reflect.length === 0 && !(whole && empathicTurns >= 2 && harmful.length === 0)) {
    return score(
      1,
      evidence,
      `Make the acknowledgement specific: reflect back a detail the customer gave you, e.g. "${modelLine('listening', scenario)}"`,
    );
  }
  const consistent = !whole || (reflectingTurns >= 2 && shown / turns.length >= 0.4);
  if ((empathy.length > 0 || reflectingTurns >= 2) && consistent && harmful.length === 0) {
    return score(3, evidence, 'Keep it up: carry on reflecting back new details as the customer gives them.');
  }
  return score(
    2,
    evidence,
    empathy.length === 0
      ? 'Name the feeling as well as the facts, e.g. "I can imagine how worrying that is."'
      : 'Keep reflecting back as the conversation goes on, including concerns the customer only hints at, such as a deadline or cost.',
  );
};

export const judgeQuestioning: Judge = ({ scenario, turns, whole }) => {
  const open = evidenceOf(turns, 'openQuestion', 'open question');
  const closed = evidenceOf(turns, 'closedQuestion', 'closed question');
  const check = evidenceOf(turns, 'checkUnderstanding', 'checks understanding');
  const asked = new Set(turns.flatMap((t) => t.factsAsked));
  const causeFacts = scenario.facts.filter((f) => f.cause).map((f) => f.id);
  const causeFound = causeFacts.filter((id) => asked.has(id)).length;
  const factEvidence: Evidence[] = turns
    .flatMap((t) =>
      t.factsAsked.length > 0 ? [{ turn: t.turn, quote: firstQuestion(t), reason: `uncovers: ${t.factsAsked.join(', ')}` }] : [],
    )
    .slice(0, 3);
  const evidence = [...open.slice(0, 2), ...factEvidence, ...check.slice(0, 1), ...closed.slice(0, 1)].slice(0, 5);
  const questions = open.length + closed.length;
  // Closed questions that uncover nothing ("Did you not read it?", "Anything else?") are not finding out.
  if (open.length === 0 && check.length === 0 && (!whole || asked.size === 0) && (whole || questions === 0)) {
    return score(
      0,
      evidence,
      'Ask before you solve: start with an open question, e.g. "Can you tell me exactly what happens when it goes wrong?"',
    );
  }
  if (!whole) return score(open.length > 0 || check.length > 0 ? 2 : 1, evidence, '');
  const causeShare = causeFacts.length === 0 ? 1 : causeFound / causeFacts.length;
  if (open.length >= 1 && causeShare >= 0.5 && check.length > 0 && asked.size >= 2) {
    return score(3, evidence, 'Keep it up: open questions first, probing ones next, then a summary the customer can correct.');
  }
  if ((open.length >= 1 && (asked.size >= 1 || check.length > 0)) || (check.length > 0 && asked.size >= 2)) {
    return score(
      2,
      evidence,
      check.length === 0
        ? 'Check your understanding before offering a solution: "Just to check I\'ve got this right — … Is that correct?"'
        : 'Probe for the cause with a follow-up question, e.g. "Has anything changed since it started — any work nearby, a new device?"',
    );
  }
  return score(
    1,
    evidence,
    'Use open questions that get the customer\'s account, e.g. "What happened when…?" or "Talk me through…", rather than only yes/no questions.',
  );
};

function firstQuestion(turn: LearnerTurn): string {
  return turn.moves.openQuestion?.[0] ?? turn.moves.closedQuestion?.[0] ?? turn.moves.checkUnderstanding?.[0] ?? turn.text;
}

export const judgeDefusing: Judge = ({ turns, breaches, whole }) => {
  const harmful = [
    ...evidenceOf(turns, 'calmDown', 'tells the customer to calm down'),
    ...evidenceOf(turns, 'blame', 'blames the customer'),
    ...evidenceOf(turns, 'dismiss', 'dismisses the problem'),
    ...breaches
      .filter((b) => b.action !== 'share-personal-data')
      .map((b) => ({ turn: b.turn, quote: b.quote, reason: 'placates with a promise that cannot be kept' })),
  ];
  const specific = turns.some((t) => t.commitments.some((c) => c.when));
  const placating = specific ? [] : evidenceOf(turns, 'placate', 'reassures without anything specific');
  const jargon = evidenceOf(turns, 'jargon', 'uses jargon the customer may not follow');
  const calmingTurns = turnsWith(turns, 'empathise', 'reflect', 'ownership');
  const ownership = evidenceOf(turns, 'ownership', 'owns the problem without excuses');
  const calming = [
    ...ownership,
    ...evidenceOf(turns, 'empathise', "names the customer's feeling"),
    ...evidenceOf(turns, 'reflect', 'shows the customer they were heard'),
  ];
  const clear = [...evidenceOf(turns, 'informNext', 'explains what happens next'), ...evidenceOf(turns, 'reason', 'gives a reason')];
  const evidence = [...harmful, ...placating, ...calming.slice(0, 2), ...jargon.slice(0, 1), ...clear.slice(0, 1)].slice(0, 5);
  if (harmful.length > 0 || placating.length > 0) {
    return score(
      0,
      evidence,
      harmful.length > 0
        ? 'Never tell an upset customer to calm down, blame them, or calm them with promises you cannot keep; acknowledge the feeling and say what you can actually do.'
        : 'Replace reassurance ("don\'t worry, we\'ll get it sorted") with specifics: what you will do, and by when.',
    );
  }
  const share = whole ? calmingTurns / turns.length : calmingTurns;
  if (calming.length === 0 || (share < 0.25 && ownership.length === 0)) {
    return score(
      1,
      evidence,
      'Acknowledge the customer\'s feelings, not just the facts, and keep doing so as they react: "I\'m sorry — that sounds really stressful."',
    );
  }
  if (jargon.length > 0)
    return score(1, evidence, 'Use plain words: say what the customer will notice, not internal terms or abbreviations.');
  if ((share >= 0.4 || ownership.length > 0) && clear.length > 0 && specific) {
    return score(3, evidence, 'Keep it up: acknowledge first, then explain plainly what you will do and by when.');
  }
  return score(
    2,
    evidence,
    'Once the customer is calmer, give concrete next steps — who will do what by when — so they feel back in control.',
  );
};

const NOT_OPTIONS: ReadonlySet<string> = new Set(['investigation', 'callback', 'guarantee', 'share-personal-data']);
const NEXT_STEPS: ReadonlySet<string> = new Set(['investigation', 'callback']);

export const judgeNegotiation: Judge = ({ scenario, turns, breaches, whole }) => {
  // Options offered subject to approval are options too: the learner puts them to the customer.
  // A guarantee or a disclosure is never an option, and a callback or an investigation a next step.
  // (Where the scenario's own options are a review or a complaint, putting them is putting options.)
  const optionActions = new Set(scenario.options.map((o) => o.action));
  const isOption = (action: string) => !NOT_OPTIONS.has(action) || (NEXT_STEPS.has(action) && optionActions.has(action as ActionKind));
  const offers = turns.flatMap((t) => t.offers.filter((o) => isOption(o.action)).map((o) => ({ turn: t.turn, offer: o })));
  const actions = new Set(offers.map((o) => o.offer.action));
  const offerEvidence: Evidence[] = offers.slice(0, 3).map(({ turn, offer }) => ({
    turn,
    quote: offer.quote,
    reason: `offers ${offer.action}${offer.conditional ? ' (subject to approval)' : ''}`,
  }));
  const prosCons = evidenceOf(turns, 'prosCons', 'explains an advantage or disadvantage');
  const organisation = evidenceOf(turns, 'prosConsOrganisation', 'weighs the option for the organisation');
  const agreement = evidenceOf(turns, 'seekAgreement', 'asks the customer to choose or agree');
  const close = [
    ...evidenceOf(turns, 'confirm', 'confirms what was agreed'),
    ...evidenceOf(turns, 'checkSatisfaction', 'checks the customer is satisfied'),
  ];
  const evidence = [
    ...offerEvidence,
    ...prosCons.slice(0, 1),
    ...organisation.slice(0, 1),
    ...agreement.slice(0, 1),
    ...close.slice(0, 1),
  ].slice(0, 6);
  // Weighing pros and cons and asking the customer to choose shows options on the table, however
  // they are worded in a sector the action vocabulary does not know.
  const weighed = prosCons.length > 0 && (agreement.length > 0 || close.length > 0);
  if (offers.length === 0 && !weighed) {
    // Naming a possibility ("there's the option of a transfer") without putting it to the customer.
    const mentioned = turns.flatMap((t) =>
      t.mentioned.filter((a) => isOption(a)).map((a) => ({ turn: t.turn, quote: t.text, reason: `mentions ${a} without offering it` })),
    );
    if (whole && mentioned.length > 0) {
      return score(
        1,
        [...mentioned.slice(0, 2), ...evidence].slice(0, 6),
        'Put the option to the customer properly: what it is, what it means for them, and ask whether it would suit.',
      );
    }
    return score(
      0,
      evidence,
      `Put workable options to the customer from the service offer, e.g. "${modelLine('negotiation', scenario) ?? 'Which of these would suit you better?'}"`,
    );
  }
  if (breaches.length > 0) {
    // Giving in to the customer's own demand beyond authority is no negotiation at all, whatever
    // the money given is called ("£68 on your account" for "two months' bills back").
    const asked = scenario.customer.asksFor?.action;
    const conceded = breaches.some((b) => b.action === asked || (asked !== undefined && isMoney(asked) && isMoney(b.action)));
    return score(
      conceded ? 0 : 1,
      evidence,
      'A workable option balances the customer and the organisation: concede only what you may, and seek approval for more.',
    );
  }
  if (prosCons.length === 0) {
    return score(
      1,
      evidence,
      `Explain the advantages and disadvantages of each option, e.g. "${modelLine('negotiation', scenario) ?? 'This one is quickest, but…; that one costs you nothing, but…'}"`,
    );
  }
  if (!whole) return score(2, evidence, '');
  const agreed = agreement.length > 0 || close.length > 0;
  if (agreed && organisation.length > 0 && close.length > 0 && (actions.size >= 2 || agreement.length > 0)) {
    return score(3, evidence, "Keep it up: options with their pros and cons for both sides, the customer's choice, then confirmation.");
  }
  if (agreed) {
    return score(
      2,
      evidence,
      organisation.length === 0
        ? 'Weigh each option for the organisation too (cost, stock, time), so the one agreed is workable for both sides.'
        : "Close with confirmation: \"So to confirm, we've agreed …, I've booked it, and you'll hear from me by … Is there anything else?\"",
    );
  }
  return score(
    1,
    evidence,
    'Ask the customer to choose, then confirm what you have agreed: "Which would you prefer?" … "So to confirm, …"',
  );
};

export const judgeAuthority: Judge = ({ scenario, turns, breaches }) => {
  // Escalating the problem to a team is reporting; here only asking someone with authority counts.
  const approval = evidenceOf(turns, 'seekApproval', 'seeks approval from someone with authority');
  const limits = [
    ...evidenceOf(turns, 'stateLimit', 'states the limit of own authority'),
    ...turns.flatMap((t) => t.refusals.map((r) => ({ turn: t.turn, quote: r.quote, reason: 'states what cannot be offered' }))),
  ];
  const within = turns.flatMap((t) =>
    t.offers
      .filter((o) => o.route.kind === 'own' && !o.conditional)
      .map((o) => ({ turn: t.turn, quote: o.quote, reason: `offers ${o.action} within own authority` })),
  );
  const vague = evidenceOf(turns, 'vaguePromise', 'leaves what can be offered unclear');
  if (breaches.length > 0) {
    const first = breaches[0]!;
    return score(
      0,
      breaches.slice(0, 3).map((b) => ({ turn: b.turn, quote: b.quote, reason: `beyond authority: ${b.rule}` })),
      `Stay within your limits: ${first.rule}. Say instead: "That's more than I can agree myself — let me ask ${approverOf(scenario, first.action)} now."`,
    );
  }
  const evidence = [...approval.slice(0, 2), ...limits.slice(0, 2), ...within.slice(0, 2)].slice(0, 5);
  const ask = scenario.customer.asksFor;
  const pressed = ask !== undefined && routeFor(scenario.authority, ask.action, ask.amount).kind !== 'own';
  const dismissive = evidenceOf(turns, 'dismiss', 'closes the door without a route').length > 0;
  if (dismissive && approval.length === 0) {
    return score(1, evidence, 'Rather than closing the door, say what you can offer and who can decide anything more.');
  }
  if (pressed) {
    if (approval.length > 0)
      return score(3, evidence, 'Keep it up: offer what is yours to give, and for anything more say who can approve it and how.');
    if (limits.length > 0) {
      return score(
        2,
        evidence,
        `Having said what you can't agree, seek approval for it: "I can't agree that myself, but I can ask ${approverOf(scenario, ask!.action)} today."`,
      );
    }
    return score(
      1,
      evidence,
      `When the customer asks for more than you can give, say so plainly and seek approval from ${approverOf(scenario, ask!.action)}.`,
    );
  }
  if (within.length > 0 && (approval.length > 0 || limits.length > 0)) {
    return score(3, evidence, 'Keep it up: offer what is yours to give, and say who decides anything beyond it.');
  }
  if (within.length > 0 || approval.length > 0 || limits.length > 0) {
    return score(
      vague.length > within.length ? 1 : 2,
      evidence,
      'Tell the customer what you can offer yourself and who can decide anything beyond it.',
    );
  }
  return score(1, evidence, 'Be clear about what you can and cannot offer, and seek approval rather than leaving the customer guessing.');
};

function approverOf(scenario: Scenario, action: string): string {
  const entry = scenario.authority.needsApproval.find((n) => n.action === action) ?? scenario.authority.needsApproval[0];
  return entry ? `the ${entry.approver.replace(/^the /i, '').replace(/^./, (c) => c.toLowerCase())}` : 'my manager';
}

export const judgeUnresolved: Judge = ({ scenario, turns, breaches, whole }) => {
  const refusals = turns.flatMap((t) => t.refusals.map((r) => ({ turn: t.turn, quote: r.quote, reason: 'says what cannot be done' })));
  const refuseMoves = evidenceOf(turns, 'refuse', 'says what cannot be done');
  const occasion = scenario.resolvable !== true || refusals.length > 0 || refuseMoves.length > 0;
  if (!occasion) return score(null, [], '');
  const reasons = evidenceOf(turns, 'reason', 'gives a reason');
  const grounded = reasons.filter((e) =>
    /\b(?:polic|law|act\b|regulation|rights|data protection|gdpr|terms|contract|rules?)\b/i.test(e.quote),
  );
  const referrals = evidenceOf(turns, 'refer', 'refers to another source of help');
  const named = new Set(turns.flatMap((t) => t.sourcesNamed));
  const dismiss = evidenceOf(turns, 'dismiss', 'dismisses the customer');
  const evidence = [
    ...refuseMoves.slice(0, 1),
    ...grounded.slice(0, 1),
    ...reasons.slice(0, 1),
    ...referrals.slice(0, 2),
    ...dismiss.slice(0, 1),
  ].slice(0, 5);
  const helpExample = scenario.sourcesOfHelp[0]
    ? `${scenario.sourcesOfHelp[0].name} (${scenario.sourcesOfHelp[0].contact})`
    : 'Citizens Advice on 0808 223 1133';
  // Promising what was asked for, or an outcome, hides the real position: the customer leaves
  // thinking it is resolved. So does refusing with blame and no way forward.
  const hidden = breaches.filter((b) => b.action === 'guarantee' || b.action === scenario.customer.asksFor?.action);
  const blame = evidenceOf(turns, 'blame', 'blames the customer');
  const hiding = whole && (hidden.length > 0 || (referrals.length === 0 && (dismiss.length > 0 || blame.length > 0)));
  if ((reasons.length === 0 && referrals.length === 0) || hiding) {
    if (hidden.length > 0)
      evidence.unshift({ turn: hidden[0]!.turn, quote: hidden[0]!.quote, reason: 'implies the problem is resolved when it is not' });
    return score(
      0,
      evidence.slice(0, 5),
      `Explain why it cannot be done and where else the customer can get help, e.g. "${modelLine('unresolved', scenario)}"`,
    );
  }
  if (!whole) return score(reasons.length > 0 && referrals.length > 0 ? 2 : 1, evidence, '');
  if (reasons.length > 0 && referrals.length > 0) {
    if ((grounded.length > 0 || named.size >= 3) && (named.size >= 1 || referrals.length >= 2) && dismiss.length === 0) {
      return score(3, evidence, 'Keep it up: the reason, grounded in policy or law, and a named source of help with how to reach it.');
    }
    return score(
      2,
      evidence,
      grounded.length === 0
        ? 'Ground the reason in the policy or law that applies, so it does not sound like your own choice.'
        : `Name the source of help and how to reach it: "${helpExample}".`,
    );
  }
  return score(
    1,
    evidence,
    reasons.length === 0
      ? 'Give the customer a clear reason, not just a referral: "I can\'t do that because…"'
      : `Don't leave the customer at a dead end: refer them on, e.g. "${helpExample}".`,
  );
};

export const judgeInforming: Judge = ({ scenario, turns, breaches, whole }) => {
  const commitments = turns.flatMap((t) => t.commitments);
  const specific = commitments.filter((c) => c.when);
  const vague = evidenceOf(turns, 'vaguePromise', 'a promise with no when');
  const next = evidenceOf(turns, 'informNext', 'tells the customer what happens next');
  const informingTurns = turns.filter((t) => t.commitments.some((c) => c.when) || (t.moves.informNext?.length ?? 0) > 0).length;
  const evidence = [
    ...specific.slice(0, 2).map((c) => ({ turn: c.turn, quote: c.quote, reason: `commits to a time: ${c.when}` })),
    ...next.slice(0, 2),
    ...vague.slice(0, 1),
  ].slice(0, 5);
  if (specific.length === 0 && next.length === 0) {
    return score(
      vague.length > 0 ? 1 : 0,
      evidence,
      `Tell the customer what will happen next, who will do it and by when, e.g. "${modelLine('informing', scenario)}"`,
    );
  }
  if (breaches.length > 0) {
    return score(
      1,
      evidence,
      'Only promise what you can deliver: a promise beyond your authority leaves the customer with a picture that will not come true.',
    );
  }
  if (specific.length === 0)
    return score(1, evidence, 'Make the promise specific — who, what and when — so the customer can hold you to it.');
  if (!whole) return score(2, evidence, '');
  // A reference number the customer can quote is information volunteered to hold us to the promise.
  const reference = turns.some((t) =>
    /\b(?:reference|ref|case|job|claim|ticket|booking) (?:number|no\b)|\b(?:reference|ref) is\b|\b[A-Z]{2,}-?\d{4,}\b/i.test(t.text),
  );
  if (
    informingTurns >= 2 &&
    specific.length >= 1 &&
    (specific.length >= 2 || reference) &&
    vague.length <= specific.length + (reference ? 1 : 0)
  ) {
    return score(3, evidence, 'Keep it up: specific promises with who and when, and keep the customer updated until it is done.');
  }
  return score(
    2,
    evidence,
    vague.length > 0
      ? `Replace vague promises with specific ones: instead of "${vague[0]!.quote}", say who will do what by when.`
      : 'Keep the customer informed as you go, and say how and when you will update them next.',
  );
};

/** Words that name a problem as repeated or affecting others, in the learner's words. */
const REPEATED_PROBLEM = phrases(
  [
    'again',
    /repeat\w*/,
    'recurring',
    /(?:second|third|fourth|fifth|3rd|4th)/,
    'several',
    /same (?:thing|problem|fault|issue|way)/,
    // "three other clients' orders", "other people's orders", "others".
    /other (?:[a-z]+ )?(?:customers|clients|accounts|bookings|patients|people|residents|students|homes|orders|passengers|guests)/,
    'others',
    'anyone else',
    'this week',
    'this month',
    'this term',
    'today alone',
    'pattern',
    'not the first',
    // "We've had one other since the new app", "a mixed order from the early slot on Tuesday too".
    'one other',
    /(?:yesterday|last week|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)) too/,
  ],
  { end: 'word' },
);

export const judgeReporting: Judge = ({ scenario, turns }) => {
  const reports = evidenceOf(turns, 'reportProblem', 'logs it or alerts a named team', 4);
  const vague = [
    ...evidenceOf(turns, 'reportVaguely', 'says it will be passed on, to no one named'),
    ...evidenceOf(turns, 'escalate', 'escalates'),
  ];
  const prevention = evidenceOf(turns, 'preventRepeat', 'takes a step so it does not happen again');
  const pattern = turns.some((t) => REPEATED_PROBLEM.test(t.text.toLowerCase()));
  const evidence = [...reports, ...prevention, ...vague].slice(0, 4);
  const target = scenario.repeatedProblem?.alert ?? 'the team that can fix the cause';
  if (reports.length === 0 && vague.length === 0) {
    return score(
      0,
      evidence,
      `Recognise the pattern and alert the appropriate authority: "This is the third time, so I'm raising it with ${target} so it doesn't keep happening."`,
    );
  }
  if (reports.length === 0) {
    return score(1, evidence, `Say who you will tell and how — a named team, log or person — rather than "I'll pass it on": ${target}.`);
  }
  if (pattern && prevention.length > 0) {
    return score(3, evidence, 'Keep it up: name the pattern, alert the right people, and take a step so it does not happen again.');
  }
  return score(
    2,
    evidence,
    pattern
      ? 'Add a step that stops it happening again, e.g. checking the other accounts or bookings it may affect.'
      : 'Name the pattern when you report it — that it is repeated or affects others — so it is treated as more than one complaint.',
  );
};

export const JUDGES: Record<string, Judge> = {
  listening: judgeListening,
  questioning: judgeQuestioning,
  defusing: judgeDefusing,
  negotiation: judgeNegotiation,
  authority: judgeAuthority,
  unresolved: judgeUnresolved,
  informing: judgeInforming,
  reporting: judgeReporting,
};
