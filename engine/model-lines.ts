/**
 * A model line for a dimension, written from the scenario's own situation: its options with their
 * pros and cons, its approver, its sources of help, what the customer wants. The debrief shows it
 * beside the one thing to work on first, so a car-service debrief never quotes a washing machine.
 * Built from the scenario file alone, so every scenario an author adds has its own lines.
 */
import type { Scenario } from './scenario-schema.ts';

/** A scenario phrase used inside a sentence: no capital to start (unless a name), no full stop to end. */
function inline(phrase: string): string {
  const trimmed = phrase.trim().replace(/[.;:!\s]+$/, '');
  // "A car he can drive…" → "a car he can drive…"; "Karen Doyle…" and "I…" stay as they are.
  const name = /^[A-Z][\w'-]* [A-Z]/.test(trimmed) || /^I\b/.test(trimmed) || /^[A-Z]{2,}/.test(trimmed);
  return name ? trimmed : trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/**
 * The first clause of a longer phrase, so a model line stays one breath long: up to a full stop or
 * semicolon, an aside in brackets left out, and a long phrase cut at its first comma.
 */
function firstClause(phrase: string): string {
  let clause = phrase.split(/[.;]\s/)[0]!.replace(/\s*\([^)]*\)/g, '');
  if (clause.length > 80 && clause.indexOf(', ') > 20) clause = clause.slice(0, clause.indexOf(', '));
  return inline(clause);
}

/** Authors describe the customer in the third person; said to the customer, "lend him" is "lend you". */
function toCustomer(phrase: string): string {
  return phrase
    .replace(/\b(?:he|she) (?:is|'s)\b/g, 'you are')
    .replace(/\b(?:he|she) has\b/g, 'you have')
    .replace(/\b(?:he|she) was\b/g, 'you were')
    .replace(/\b(?:he|she) does\b/g, 'you do')
    .replace(/\b(?:he|she) (can|could|will|would|should|may|might|must)\b/g, 'you $1')
    .replace(/\b(?:he|she) ([a-z]+?)s\b/g, 'you $1')
    .replace(/\b(?:his|hers)\b/g, 'your')
    .replace(/\bher\b(?= [a-z])(?! (?:to|with|and|at|in|on|by|for|from|a|the|if|when|that)\b)/g, 'your')
    .replace(/\b(?:him|her)\b/g, 'you');
}

/** Words that make a topic a question rather than a thing to ask about ("when bought"). */
const QUESTION_WORD = /^(?:what|which|when|where|who|why|how|whether|did|does|is|are|was)\b/i;

/** Options to put to the customer: the workable ones, remedies before next steps. */
function workableOptions(scenario: Scenario) {
  const workable = scenario.options.filter((o) => o.workable);
  const remedies = workable.filter((o) => o.action !== 'investigation' && o.action !== 'callback');
  return remedies.length > 0 ? remedies : workable;
}

/** An option as the learner would say it: the author's everyday wording, else its description. */
const said = (option: Scenario['options'][number]) => {
  // A wording of two words ("back today") is for finding the option, not for saying it.
  const wording = option.wordings?.find((w) => w.trim().split(/\s+/).length >= 3);
  return toCustomer(firstClause(wording ?? option.description));
};

/** "Owner (Gary Marsh)" → "Gary Marsh, our owner"; "Claims assessor" → "our claims assessor". */
function approverAsSaid(approver: string): string {
  const named = /^(.*?)\s*\((.+)\)$/.exec(approver.trim());
  return named ? `${named[2]}, our ${inline(named[1]!)},` : `our ${inline(approver)}`;
}

/** Who the learner would ring or message with news, in this scenario's channel. */
const CONTACT_VERB: Record<Scenario['setting']['channel'], string> = {
  phone: 'ring',
  'face-to-face': 'ring',
  chat: 'message',
  email: 'email',
};

const LINES: Record<string, (scenario: Scenario) => string | undefined> = {
  listening: (s) => `So what matters most to you is ${toCustomer(firstClause(s.customer.wants))}. Have I got that right?`,
  questioning: (s) => {
    const facts = [...s.facts.filter((f) => f.cause), ...s.facts.filter((f) => !f.cause)];
    const topic = facts.flatMap((f) => f.topics).find((t) => !QUESTION_WORD.test(t.trim()));
    return topic
      ? `Before I suggest anything, can you tell me a bit more about the ${inline(topic)}?`
      : 'Before I suggest anything, can you talk me through exactly what happened?';
  },
  defusing: (s) => {
    const first = workableOptions(s)[0];
    return `I'm really sorry, I can hear how much this has upset you. Here's what I can do straight away: ${first ? said(first) : 'look into it while we talk'}.`;
  },
  negotiation: (s) => {
    const [a, b] = workableOptions(s);
    if (!a) return undefined;
    const weighed = (o: typeof a) =>
      `${said(o)}: ${toCustomer(firstClause(o.forCustomer.advantages[0]!))}, though ${toCustomer(firstClause(o.forCustomer.disadvantages[0]!))}`;
    return b
      ? `There are two ways I can help. First, ${weighed(a)}. Or, ${weighed(b)}. Which would suit you better?`
      : `What I can do is ${weighed(a)}. Would that work for you?`;
  },
  authority: (s) => {
    const route = s.authority.needsApproval[0];
    return route
      ? `That's more than I can agree myself, but I can ask ${approverAsSaid(route.approver)} now and come back to you with the answer.`
      : "That's not something I'm able to agree, and I'd rather tell you now than promise what I can't deliver.";
  },
  unresolved: (s) => {
    const why = s.unresolvableBecause ?? s.policy[0]?.says;
    const source = s.sourcesOfHelp.find((h) => h.kind === 'external') ?? s.sourcesOfHelp[0];
    const reason = why ? `I can't put that part right myself, because ${firstClause(why)}.` : "I can't put that part right myself.";
    return source ? `${reason} You can also go to ${firstClause(source.name)}: ${inline(source.contact)}.` : reason;
  },
  informing: (s) => {
    const first = workableOptions(s)[0];
    const verb = CONTACT_VERB[s.setting.channel];
    return first
      ? `Here's exactly what happens next: ${said(first)}, and I'll ${verb} you by 4pm today to confirm it's done.`
      : `Here's exactly what happens next, and I'll ${verb} you by 4pm today with an update.`;
  },
  reporting: (s) =>
    s.repeatedProblem
      ? `You're not the first to have this, so I'm raising it today (${firstClause(s.repeatedProblem.alert)}) so it doesn't keep happening.`
      : "If this has happened before, I'll report it today so it doesn't keep happening.",
};

/** Lines already written, per scenario: the judges ask for them on every turn. */
const written = new WeakMap<Scenario, Map<string, string | undefined>>();

/** The model line for a dimension in this scenario, or undefined where there is none to give. */
export function modelLine(dimension: string, scenario: Scenario): string | undefined {
  let lines = written.get(scenario);
  if (!lines) written.set(scenario, (lines = new Map()));
  if (!lines.has(dimension)) lines.set(dimension, LINES[dimension]?.(scenario));
  return lines.get(dimension);
}
