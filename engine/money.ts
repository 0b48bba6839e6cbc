/** Amounts in ServiceSim are pounds sterling, written as plain numbers in scenario files. */
const formatter = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function formatPounds(amount: number): string {
  return Number.isInteger(amount) ? `£${amount}` : formatter.format(amount);
}

const UNITS: Record<string, number> = {
  a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const UNIT = Object.keys(UNITS).join('|');
/** "forty", "twenty five", "a hundred", "one hundred and fifty", "the hundred" (an amount already named). */
const WORDS_AMOUNT = new RegExp(String.raw`\b(?:(the|${UNIT})(?:[ -](${UNIT}))? hundred(?: and (${UNIT})(?:[ -](${UNIT}))?)?|(${UNIT})(?:[ -](${UNIT}))?) ?(quid|pounds?)?\b`, 'g');
const FIGURES_AMOUNT = /£(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?) ?(?:pounds?|quid|gbp)\b/g;

/**
 * Pounds named in plain lower-case text: "£80", "£1,250.50", "80 pounds", "forty quid", "a hundred
 * and fifty pounds", and "the hundred" for an amount the conversation has already named. Number
 * words count only with "pounds"/"quid" or "hundred", so "two options" is no amount.
 */
export function poundsIn(plain: string): number[] {
  const out: number[] = [];
  for (const m of plain.matchAll(FIGURES_AMOUNT)) out.push(Number((m[1] ?? m[2])!.replace(/,/g, '')));
  for (const m of plain.matchAll(WORDS_AMOUNT)) {
    const [, hundreds, hundredsUnit, rest, restUnit, small, smallUnit, currency] = m;
    const value = (word?: string) => (word ? UNITS[word] ?? 0 : 0);
    if (hundreds !== undefined) out.push((hundreds === 'the' ? 1 : value(hundreds) + value(hundredsUnit)) * 100 + value(rest) + value(restUnit));
    else if (currency && small !== 'a') out.push(value(small) + value(smallUnit));
  }
  return out.filter((n) => Number.isFinite(n) && n > 0);
}
