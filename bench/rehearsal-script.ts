/**
 * What a benchmark's learner says, and how it reaches the bot: real learner replies from the
 * hand-labelled transcripts, laid out as a whole rehearsal (welcome, `start`, replies, `end`, a
 * reflection), each step POSTed as the Bot Framework activity a channel would send. Shared so the
 * load and stalled-connections benches play the same kind of rehearsal.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readLabelledSet } from '../cli/labelled-set.ts';

const SCENARIOS_DIR = path.join(import.meta.dirname, '..', 'rubrics', 'scenarios');

export interface ScenarioScripts {
  id: string;
  /** The learner turns of each labelled transcript on this scenario, in file order. */
  transcripts: string[][];
}

/** Real learner replies, from the hand-labelled transcripts, grouped by scenario: shipped ones only, as the bot knows no other. */
export function readScripts(): ScenarioScripts[] {
  const byScenario = new Map<string, string[][]>();
  for (const transcript of readLabelledSet()) {
    if (!existsSync(path.join(SCENARIOS_DIR, `${transcript.scenario}.yaml`))) continue;
    const learnerTurns = transcript.turns.filter((t) => t.role === 'learner').map((t) => t.text);
    if (learnerTurns.length === 0) continue;
    if (!byScenario.has(transcript.scenario)) byScenario.set(transcript.scenario, []);
    byScenario.get(transcript.scenario)!.push(learnerTurns);
  }
  return [...byScenario].sort(([a], [b]) => a.localeCompare(b)).map(([id, transcripts]) => ({ id, transcripts }));
}

/**
 * `count` learner replies, from transcript `first` on (wrapping round). A transcript's last learner
 * turn is left out: it is usually the closing, after which the customer ends the conversation and
 * later replies would be cheap "not in a rehearsal" turns. A transcript too short is followed by
 * the next one's, so every rehearsal has the same length.
 */
export function learnerReplies(transcripts: string[][], first: number, count: number): string[] {
  const replies: string[] = [];
  for (let t = first; replies.length < count; t++) {
    const turns = transcripts[t % transcripts.length]!;
    replies.push(...(turns.length > 2 ? turns.slice(0, -1) : turns));
  }
  return replies.slice(0, count);
}

/** One activity to POST; the label names it in reports ("reply 3"). */
export type Step =
  { kind: 'welcome'; label: string } | { kind: 'message'; label: string; text: string; role: 'command' | 'reply' | 'reflection' };

/** A whole rehearsal, from the learner joining to the reflection the debrief asks for. */
export function rehearsalSteps(scenario: string, replies: string[], reflection: string): Step[] {
  return [
    { kind: 'welcome', label: 'welcome' },
    { kind: 'message', label: 'start', text: `start ${scenario}`, role: 'command' },
    ...replies.map((text, i) => ({ kind: 'message', label: `reply ${i + 1}`, text, role: 'reply' }) as const),
    { kind: 'message', label: 'end', text: 'end', role: 'command' },
    { kind: 'message', label: 'reflection', text: reflection, role: 'reflection' },
  ];
}

export interface Conversation {
  conversationId: string;
  userId: string;
  serviceUrl: string;
  /** The number of the next activity, so every activity's id is new, as a channel's are. */
  next: number;
}

/** The JSON body of a step's activity, from a made-up channel whose replies go to `serviceUrl`. */
export function activityBody(step: Step, c: Conversation): string {
  const common = {
    id: `${c.conversationId}-a${c.next++}`,
    timestamp: new Date().toISOString(),
    channelId: 'bench',
    serviceUrl: c.serviceUrl,
    conversation: { id: c.conversationId },
    from: { id: c.userId, name: 'Bench learner' },
    recipient: { id: 'bot', name: 'Bot' },
    locale: 'en-GB',
  };
  // No deliveryMode: normal mode, the bot posts its replies to the connector during the turn.
  return JSON.stringify(
    step.kind === 'welcome'
      ? { ...common, type: 'conversationUpdate', membersAdded: [{ id: c.userId }] }
      : { ...common, type: 'message', text: step.text },
  );
}
