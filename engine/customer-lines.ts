/**
 * General wordings for the scripted customer, used where a scenario has no wording of its own.
 * Several per situation so that replies vary;
 */
import type { Scenario } from './scenario-schema.ts';

export type LineKind =
  | 'pushback'
  | 'askWhy'
  | 'askWhoElse'
  | 'accept'
  | 'calmer'
  | 'angrier'
  | 'confused'
  | 'unknown'
  | 'goodbye'
  | 'calmDown'
  | 'blamed'
  | 'jargon'
  | 'dismissed'
  | 'vague'
  | 'ignored'
  | 'repeat'
  | 'waitForApproval'
  | 'referralAccepted'
  | 'nudge'
  | 'confirmUnderstanding';

const GENERAL: Record<LineKind, string[]> = {
  pushback: [
    'Is that really the best you can do?',
    "Hmm. I'm not sure that's good enough, to be honest.",
    "That doesn't really solve it for me.",
    'I was hoping for a bit more than that.',
  ],
  askWhy: [
    'Why not?',
    "Why can't you? Nobody has explained that to me.",
    "But why? That doesn't make sense to me.",
    "What do you mean you can't? Why?",
  ],
  askWhoElse: [
    'So who can help me, then?',
    'Then where am I supposed to go with this?',
    'Is there anyone else I can speak to?',
    'So what do I do now? Who else can sort this out?',
  ],
  accept: [
    'OK. Yes, that would work for me.',
    "Right, fine. Let's do that.",
    'Yes, OK, I can live with that.',
    'Alright. That sounds reasonable.',
  ],
  calmer: [
    'OK. Thank you for listening, at least.',
    'Right. Well, I appreciate that.',
    'OK, thank you. That helps a bit.',
    "Thanks. It's good that someone is taking this seriously.",
  ],
  angrier: [
    "You're not listening to me.",
    'This is getting ridiculous.',
    "I'm getting really fed up now.",
    "That's exactly the kind of answer that makes me angrier.",
  ],
  confused: [
    "Sorry, I don't quite follow. What does that mean for me?",
    "I'm a bit lost. Can you say that more simply?",
    'Sorry, what do I need to do?',
  ],
  unknown: [
    "I'm not sure, to be honest.",
    "I don't know about that. I just want it sorted.",
    "I couldn't tell you. All I know is it needs sorting.",
  ],
  goodbye: ['OK. Thank you. Goodbye.', 'Right, thanks for your help. Bye.', 'Fine. Thank you. Bye for now.'],
  calmDown: ["Don't tell me to calm down!", "Calm down? I've every right to be upset.", "Telling me to calm down isn't going to help."],
  blamed: ['Are you saying this is my fault?', "Don't you dare put this on me.", "So it's my fault now, is it?"],
  jargon: ["I've no idea what that means.", 'Can you say that in plain English?', "I don't know what any of that means."],
  dismissed: [
    "So you're just going to leave me like this?",
    "That's not good enough. It is your problem.",
    'Brilliant. So nobody can help me.',
  ],
  vague: [
    "'Soon'? When exactly?",
    "That's what I was told last time. When, exactly?",
    'What does that actually mean? When will it happen?',
  ],
  ignored: ['Did you hear what I just said?', "You haven't answered my question.", "That's not what I asked."],
  repeat: ['As I said, {fact}', 'I told you: {fact}', 'Like I said, {fact}'],
  waitForApproval: [
    'OK. And when will I hear back?',
    'Fine, ask them. But I want an answer today.',
    "Alright, but please don't leave me waiting.",
  ],
  referralAccepted: [
    "OK. I'll get in touch with them, then. Thank you for explaining.",
    'Right. At least I know where to go now.',
    "Fine, I'll try them. Thanks for being straight with me.",
  ],
  nudge: ['So what are you going to do about it?', 'What happens now, then?', 'And? What are you actually going to do for me?'],
  confirmUnderstanding: ["Yes, that's right.", 'Yes, exactly that.', "That's it, yes."],
};

/** The candidate wordings for a situation, the scenario's own first. */
export function linesFor(scenario: Scenario, kind: LineKind): string[] {
  const own = kind in scenario.lines ? scenario.lines[kind as keyof Scenario['lines']] : undefined;
  return own && own.length > 0 ? own : GENERAL[kind];
}
