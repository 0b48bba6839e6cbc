/** Amounts in ServiceSim are pounds sterling, written as plain numbers in scenario files. */
import { CARDINAL_WORDS, TENS_WORDS } from './number-words.ts';

const formatter = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function formatPounds(amount: number): string {
  return Number.isInteger(amount) ? `£${amount}` : formatter.format(amount);
}

// "One" counts here: "one hundred pounds" is an amount, not the pronoun.
const SMALL: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(CARDINAL_WORDS).filter(([, n]) => n > 0));
const TENS = TENS_WORDS;
const CURRENCY = /^(?:quid|pounds?|gbp)$/;
const FIGURES_AMOUNT = /£(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?) ?(?:pounds?|quid|gbp)\b/g;

/**
 * The value of number words: "forty", "twenty five", "a hundred and fifty", "two thousand", and
 * the spoken "one fifty" (150).
 */
function wordsValue(words: readonly string[]): number {
  let total = 0;
  let current = 0;
  words.forEach((word, i) => {
    if (word === 'a' || word === 'and') return;
    if (word === 'hundred') current = (current || 1) * 100;
    else if (word === 'thousand') {
      total += (current || 1) * 1000;
      current = 0;
    } else if (word in TENS && i > 0 && SMALL[words[i - 1]!] !== undefined && SMALL[words[i - 1]!]! < 10)
      current = current * 100 + TENS[word]!;
    else current += SMALL[word] ?? TENS[word] ?? 0;
  });
  return total + current;
}

const isNumberWord = (word: string) => word in SMALL || word in TENS || word === 'hundred' || word === 'thousand';

/**
 * Pounds named in plain lower-case text: "£80", "£1,250.50", "80 pounds", "forty quid", "a hundred
 * and fifty pounds", "a fifty pound voucher", and "the hundred" for an amount the conversation has
 * already named. Number words count only with a currency word, or as "the hundred", so "two
 * options" and "a hundred percent" are no amounts.
 */
export function poundsIn(plain: string): number[] {
  const out: number[] = [];
  for (const m of plain.matchAll(FIGURES_AMOUNT)) out.push(Number((m[1] ?? m[2])!.replace(/,/g, '')));
  const words = plain.split(/[^a-z]+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (!isNumberWord(words[i]!)) continue;
    let end = i;
    while (end + 1 < words.length && (isNumberWord(words[end + 1]!) || (words[end + 1] === 'and' && isNumberWord(words[end + 2] ?? ''))))
      end++;
    const run = words.slice(i, end + 1);
    const before = words[i - 1];
    const after = words[end + 1] ?? '';
    const named =
      CURRENCY.test(after) ||
      (before === 'the' &&
        (run.includes('hundred') || run.includes('thousand')) &&
        !/^(?:percent|per|times|years?|people|miles)$/.test(after));
    if (named) out.push(wordsValue(before === 'a' ? ['a', ...run] : run));
    i = end;
  }
  return out.filter((n) => Number.isFinite(n) && n > 0);
}
