/** The reflection after the debrief: one rule for what skips it and how much is kept, for the bot and the terminal. */
import { describe, expect, it } from 'vitest';
import { MAX_REFLECTION_CHARS, reflectionOf } from '../engine/reflection.ts';

describe('a reflection', () => {
  it.each([
    'skip',
    'Skip',
    'skip it',
    '/skip',
    'Skip.',
    'no',
    'No!',
    'no thanks',
    'No thank you.',
    'not now',
    'pass',
    '',
    '   ',
    undefined,
  ])('is skipped by %j', (answer) => {
    expect(reflectionOf(answer)).toBeUndefined();
  });

  it.each([
    'No, I would ask for the model number sooner.',
    'I should have skipped the jargon',
    'Pass it on to my manager sooner next time',
  ])('is kept as written: %j', (answer) => {
    expect(reflectionOf(`  ${answer}\n`)).toBe(answer);
  });

  it(`is cut at ${MAX_REFLECTION_CHARS} characters`, () => {
    expect(reflectionOf('a'.repeat(MAX_REFLECTION_CHARS + 50))).toHaveLength(MAX_REFLECTION_CHARS);
  });
});
