import { describe, expect, it } from 'vitest';
import { poundsIn } from '../engine/money.ts';

describe("amounts of money in a learner's words", () => {
  it.each([
    ['£1,250.50 and 80 pounds', [1250.5, 80]],
    ['here is forty quid out of the till', [40]],
    ['a hundred and fifty pounds', [150]],
    ['the two hundred pounds', [200]],
    ['one fifty quid', [150]],
    ['a fifty pound voucher', [50]],
    ['a thousand pounds', [1000]],
    ['sixteen pounds', [16]],
    ['sixty-eight pounds', [68]],
    ['i will sort the hundred for you', [100]],
  ])('reads "%s"', (text, expected) => {
    expect(poundsIn(text)).toEqual(expected);
  });

  it.each(['two options', 'a hundred times', 'one hundred percent', 'the hundred percent sure'])('finds no amount in "%s"', (text) => {
    expect(poundsIn(text)).toEqual([]);
  });
});
