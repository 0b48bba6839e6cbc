/**
 * Mood events (`moodEvents`): the news that counts, the change kept within 0–4, once or every time,
 * the customer's line on hearing it; news kept apart from manner, so giving bad news well earns no
 * coaching; and what the validator tells an author who writes one wrongly.
 */
import { describe, expect, it } from 'vitest';
import { moodAfterNews, newsIn } from '../engine/mood-events.ts';
import { Rehearsal } from '../engine/rehearsal.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { MoodEvent, Scenario } from '../engine/scenario-schema.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { scratchDir, writeVariant } from './broken-file.ts';
import { kettle } from './scenario-fixture.ts';

const OUT_OF_STOCK: MoodEvent = {
  hears: ['out of stock', 'none left'],
  moodChange: 1,
  once: true,
  says: 'Out of stock? So I go home with nothing?',
};
const WARRANTY: MoodEvent = {
  hears: ['two-year warranty', 'warranty'],
  moodChange: -1,
  once: false,
  says: 'A warranty? Well, that helps.',
};

function withNews(moodEvents: MoodEvent[], mood = kettle.customer.mood): Scenario {
  return { ...kettle, customer: { ...kettle.customer, mood }, moodEvents };
}

/** Plays the lines and returns each exchange, on a fresh rehearsal of the scenario. */
async function play(scenario: Scenario, lines: string[]) {
  const rehearsal = await Rehearsal.start(scenario, { customer: createScriptedCustomer(), scorer: createRulesScorer() });
  const exchanges = [];
  for (const line of lines) exchanges.push(await rehearsal.learnerSays(line));
  return exchanges;
}

describe('the news a learner message gives', () => {
  const scenario = withNews([OUT_OF_STOCK, WARRANTY]);

  it('is recognised by topic words in any sentence, stated or asked, as fact topics are', () => {
    expect(newsIn(scenario, "I've checked, and I'm afraid that model is out of stock.").map((n) => n.index)).toEqual([0]);
    expect(newsIn(scenario, 'Did they tell you there are none left?').map((n) => n.index)).toEqual([0]);
    expect(newsIn(scenario, 'It comes with a warranty. And the stock is out of date.').map((n) => n.index)).toEqual([0, 1]);
    expect(newsIn(scenario, 'When did you buy it?')).toEqual([]);
  });

  it('leaves out once-only news heard before, but not news that counts every time', () => {
    const both = 'It is out of stock, but you get a warranty.';
    expect(newsIn(scenario, both, [0, 1]).map((n) => n.index)).toEqual([1]);
    expect(newsIn(scenario, both, []).map((n) => n.index)).toEqual([0, 1]);
  });

  it('moves the mood by the sum of its changes, kept within 0 calm to 4 furious', () => {
    const heard = (...changes: number[]) => changes.map((moodChange, index) => ({ index, event: { ...OUT_OF_STOCK, moodChange } }));
    expect(moodAfterNews(2, heard(1))).toBe(3);
    expect(moodAfterNews(2, heard(1, -1, -1))).toBe(1);
    expect(moodAfterNews(4, heard(2))).toBe(4);
    expect(moodAfterNews(1, heard(-4))).toBe(0);
    expect(moodAfterNews(3, [])).toBe(3);
  });
});

describe('the scripted customer hearing news', () => {
  // Acknowledged in both scenarios, so the customer's reaction to the manner is the same with or without the news.
  const NEWS = "I understand. I've checked the stockroom, and that model is out of stock.";
  const QUESTION = 'When did you buy it?';

  it('moves its mood and says its line on hearing it, compared with the same turn in a scenario without it', async () => {
    const [plain] = await play(withNews([]), [NEWS]);
    const [heard] = await play(withNews([OUT_OF_STOCK]), [NEWS]);
    expect(heard!.mood).toBe(plain!.mood! + 1);
    expect(heard!.customer).toContain(OUT_OF_STOCK.says);
    expect(plain!.customer).not.toContain(OUT_OF_STOCK.says);
  });

  it('hears once-only news once: told again, the mood moves no further and the line is not said again', async () => {
    const plain = await play(withNews([]), [NEWS, QUESTION, NEWS]);
    const heard = await play(withNews([OUT_OF_STOCK]), [NEWS, QUESTION, NEWS]);
    expect(heard.map((e, i) => e.mood! - plain[i]!.mood!)).toEqual([1, 1, 1]);
    expect(heard[2]!.customer).not.toContain(OUT_OF_STOCK.says);
  });

  it('hears every-time news every time it is told, its line not repeated while said lately', async () => {
    // A question, so neither ignored nor calming: only the news moves the mood.
    const line = 'There is a warranty on the replacement. Do you still have the receipt?';
    const plain = await play(withNews([], 4), [line, line, line]);
    const heard = await play(withNews([WARRANTY], 4), [line, line, line]);
    expect(heard.map((e, i) => e.mood! - plain[i]!.mood!)).toEqual([-1, -2, -3]);
    expect(heard[0]!.customer).toContain(WARRANTY.says);
    expect(heard[1]!.customer).not.toContain(WARRANTY.says);
  });

  it('keeps the mood within 0–4 whatever the news', async () => {
    const [furious] = await play(withNews([{ ...OUT_OF_STOCK, moodChange: 4 }], 4), [NEWS]);
    expect(furious!.mood).toBe(4);
    const [calm] = await play(withNews([{ ...WARRANTY, moodChange: -4 }], 1), ['I understand. There is a warranty on it.']);
    expect(calm!.mood).toBe(0);
  });

  it('takes bad news for news, not manner: the mood rises and no coaching hint blames the learner', async () => {
    // Neither calming nor provoking in itself: the customer is angrier than before only for the news.
    const line = "I've checked, and that model is out of stock. When did you buy it?";
    const [plain] = await play(withNews([]), [line]);
    const [heard] = await play(withNews([OUT_OF_STOCK]), [line]);
    expect(plain!.mood).toBe(kettle.customer.mood);
    expect(heard!.mood).toBe(kettle.customer.mood + 1);
    expect(plain!.feedback.hint).toBeUndefined();
    expect(heard!.feedback.hint).toBeUndefined();
  });

  it('does not take news about the problem for ignoring the customer', async () => {
    const [heard] = await play(withNews([OUT_OF_STOCK]), ['That model is out of stock.']);
    expect(heard!.customer).not.toMatch(/Did you hear|Hello\?|not what I asked|answered my question/);
  });
});

describe('the validator on mood events', () => {
  const DIMENSIONS = 'dimensions: [listening, questioning, negotiation, authority]';
  async function problemsWith(events: string) {
    const file = writeVariant(scratchDir(), 'kettle-refund.yaml', [[DIMENSIONS, `${DIMENSIONS}\nmoodEvents:\n${events}`]]);
    const library = await loadLibrary([file]);
    return library.problems.map(({ path, message, fix }) => ({ path, message, fix }));
  }

  it('accepts a well-formed event, with "once" defaulting to true', async () => {
    const file = writeVariant(scratchDir(), 'kettle-refund.yaml', [
      [DIMENSIONS, `${DIMENSIONS}\nmoodEvents:\n  - { hears: [out of stock], moodChange: +1, says: "Out of stock?" }`],
    ]);
    const library = await loadLibrary([file]);
    expect(library.problems).toEqual([]);
    expect(library.scenarios[0]!.moodEvents).toEqual([{ hears: ['out of stock'], moodChange: 1, once: true, says: 'Out of stock?' }]);
  });

  it('names the keys allowed for a key it does not know, such as "mood" for the change', async () => {
    expect(await problemsWith('  - { hears: [out of stock], mood: +1 }')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'moodEvents[0].mood', message: 'unknown key "mood"', fix: expect.stringContaining('moodChange') }),
      ]),
    );
  });

  it('refuses an event with no topics, or a topic no message could match', async () => {
    expect(await problemsWith('  - { hears: [], moodChange: 1 }')).toEqual([
      expect.objectContaining({
        path: 'moodEvents[0].hears',
        message: 'list at least one topic the learner would say in giving this news',
      }),
    ]);
    expect(await problemsWith('  - { hears: [out of stock, "it is"], moodChange: 1 }')).toEqual([
      {
        path: 'moodEvents[0].hears[1]',
        message: 'no message can give this news through "it is": it has no content word',
        fix: expect.stringContaining('name what the learner would say'),
      },
    ]);
  });

  it('gives a change out of range, not whole, zero or not a number a hint in steps of the 0–4 mood', async () => {
    const STEPS =
      'write a whole number from -4 to 4 (the steps the mood moves on hearing this news: +1 one step angrier, -1 one step calmer), without quotes';
    expect(await problemsWith('  - { hears: [out of stock], moodChange: 5 }')).toEqual([
      {
        path: 'moodEvents[0].moodChange',
        message: 'a mood change is at most 4 steps angrier: the mood runs from 0 calm to 4 furious',
        fix: STEPS,
      },
    ]);
    expect(await problemsWith('  - { hears: [out of stock], moodChange: -6 }')).toEqual([
      expect.objectContaining({ message: 'a mood change is at most 4 steps calmer: the mood runs from 0 calm to 4 furious', fix: STEPS }),
    ]);
    expect(await problemsWith('  - { hears: [out of stock], moodChange: 0.5 }')).toEqual([
      expect.objectContaining({ path: 'moodEvents[0].moodChange', fix: STEPS }),
    ]);
    expect(await problemsWith('  - { hears: [out of stock], moodChange: "up" }')).toEqual([
      expect.objectContaining({ path: 'moodEvents[0].moodChange', message: 'expected a number, found "up"', fix: STEPS }),
    ]);
    const [zero] = await problemsWith('  - { hears: [out of stock], moodChange: 0 }');
    expect(zero).toEqual({
      path: 'moodEvents[0].moodChange',
      message: 'a mood change of 0 moves nothing',
      fix: expect.stringMatching(
        /^use \+1 to make the customer one step angrier on hearing it, -1 one step calmer \(the mood runs from 0 calm to 4 furious\)/,
      ),
    });
  });
});
