/**
 * The validator's checks of a scenario's mood events (`moodEvents`) beyond their shape: news that no
 * message could give, and a change that moves nothing. Their shape (unknown keys, an empty `hears`,
 * a change beyond 4 steps) is the schema's to report.
 *
 * @remarks
 * Each problem says what to write instead in the terms of the field: a mood change is in steps of
 * the 0–4 mood, not pounds or a level; a `hears` topic is words the learner would say, read as fact
 * topics are (`scenario-vocabulary.ts`), so the same "no content word" reading applies.
 */
import type { Problem } from './problem.ts';
import type { Scenario } from './scenario-schema.ts';
import { readTopic } from './scenario-vocabulary.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

/** Problems with the mood events of a scenario's parts that fit the schema (none when `moodEvents` does not). */
export function checkMoodEvents(scenario: Partial<Scenario>, source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  scenario.moodEvents?.forEach((event, e) => {
    event.hears.forEach((topic, t) => {
      // The same reading the scripted customer uses to recognise the news.
      if (readTopic(topic) === undefined)
        problems.push(
          problemAt(
            source,
            ['moodEvents', e, 'hears', t],
            `no message can give this news through "${topic}": it has no content word`,
            'name what the learner would say in giving the news, e.g. "back-order", "no date", "leak", "no charge"',
          ),
        );
    });
    if (event.moodChange === 0)
      problems.push(
        problemAt(
          source,
          ['moodEvents', e, 'moodChange'],
          'a mood change of 0 moves nothing',
          'use +1 to make the customer one step angrier on hearing it, -1 one step calmer (the mood runs from 0 calm to 4 furious), or remove the event',
        ),
      );
  });
  return problems;
}
