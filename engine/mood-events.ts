/**
 * Mood events: how the customer's mood moves on hearing a particular piece of news from the learner
 * ("the part is on back-order with no date" +1, "there is nothing to pay" -1), as the scenario's
 * `moodEvents` say.
 *
 * @remarks
 * The news is recognised by the same topic reading as hidden facts (`scenario-vocabulary.ts`), in
 * any sentence of the learner's message, stated or asked: "is that a leak on your side?" tells the
 * customer there may be a leak as surely as "there's a leak" does. What the news does to the mood is
 * kept apart from what the learner's manner does to it, so that a learner who gives bad news well is
 * not coached as if they had made the customer angrier (`rehearsal.ts` reads `moodFromNews`).
 */
import type { CustomerStatus } from './customer.ts';
import type { MoodEvent, Scenario } from './scenario-schema.ts';
import { readTopic, sentenceMatchesTopic, type Topic } from './scenario-vocabulary.ts';
import { analyse } from './utterance.ts';

/** A mood event heard in one learner message: its place in the scenario's list, and the event. */
export interface NewsHeard {
  index: number;
  event: MoodEvent;
}

/**
 * A customer's status with the part of its mood change that came from news rather than from how it
 * was spoken to. A customer without mood events leaves it out, which means none.
 */
export type StatusWithNews = CustomerStatus & {
  /** Steps the mood moved on hearing news in this message, after keeping it within 0–4. */
  moodFromNews?: number;
};

const TOPICS = new WeakMap<Scenario, Topic[][]>();

/** Each event's topics, read once per scenario; a topic no sentence could match is left out (the validator reports it). */
function topicsOf(scenario: Scenario): Topic[][] {
  let topics = TOPICS.get(scenario);
  if (!topics) {
    topics = scenario.moodEvents.map((event) => event.hears.map(readTopic).filter((t) => t !== undefined));
    TOPICS.set(scenario, topics);
  }
  return topics;
}

/**
 * The mood events this learner message sets off, in the scenario's order: those whose news it gives,
 * less a once-only event heard before (`heardBefore`, the indices of events already set off).
 */
export function newsIn(scenario: Scenario, text: string, heardBefore: readonly number[] = []): NewsHeard[] {
  if (scenario.moodEvents.length === 0) return [];
  const sentences = analyse(text).sentences;
  const topics = topicsOf(scenario);
  return scenario.moodEvents.flatMap((event, index) => {
    if (event.once && heardBefore.includes(index)) return [];
    const heard = sentences.some((sentence) => topics[index]!.some((topic) => sentenceMatchesTopic(sentence, topic)));
    return heard ? [{ index, event }] : [];
  });
}

/** The mood after hearing this news, kept within 0 calm to 4 furious. */
export function moodAfterNews(mood: number, news: readonly NewsHeard[]): number {
  const change = news.reduce((sum, { event }) => sum + event.moodChange, 0);
  return Math.min(4, Math.max(0, mood + change));
}
