/**
 * The hidden facts a customer's message tells, whoever asked: a customer who says "it was the
 * machine on level 2, by the lifts" has uncovered that fact for the learner, however the learner's
 * question was worded. An authority condition (`onlyIf: { factUncovered }`) then reads the same in
 * a transcript as it does live, where the scripted customer records what it revealed.
 */
import type { Scenario } from './scenario-schema.ts';
import { contentWords, type CustomerMessage } from './utterance.ts';

/** Share of a scripted line's content words a message must hold to tell that fact. */
const TOLD_SHARE = 0.6;
/** And at least this many of them, so a short line is not told by chance. */
const TOLD_WORDS = 3;

const linesCache = new WeakMap<Scenario, Array<{ factId: string; words: Set<string> }>>();

export function factsToldIn(message: CustomerMessage, scenario: Scenario): string[] {
  const told = new Set<string>();
  for (const { factId, words } of scriptedLines(scenario)) {
    if (told.has(factId)) continue;
    const shared = [...words].filter((w) => message.words.has(w)).length;
    if (shared >= TOLD_WORDS && shared / words.size >= TOLD_SHARE) told.add(factId);
  }
  return [...told];
}

function scriptedLines(scenario: Scenario): Array<{ factId: string; words: Set<string> }> {
  let lines = linesCache.get(scenario);
  if (!lines) {
    lines = scenario.facts.flatMap((fact) => fact.says.map((line) => ({ factId: fact.id, words: contentWords(line) })));
    linesCache.set(scenario, lines);
  }
  return lines;
}
