/**
 * The phrase-list builder behind every phrase rule: a rule must match each phrasing on its list, only
 * where a word starts, plain phrases word for word, and pattern fragments exactly as written.
 */
import { describe, expect, it } from 'vitest';
import { anyOf, phrases, sequence } from '../engine/phrase-pattern.ts';

describe('a phrase list', () => {
  const sorry = phrases(['i am sorry', 'my apologies', /i apologi[sz]e/]);

  it('matches each of its phrases, anywhere in the text', () => {
    for (const text of ['i am sorry', 'well, my apologies for that', 'i apologise', 'we know. i apologize'])
      expect(sorry.test(text), text).toBe(true);
  });

  it('is one group after a word boundary, compiled into a single RegExp', () => {
    expect(sorry).toBeInstanceOf(RegExp);
    expect(sorry.source).toBe(String.raw`\b(?:i am sorry|my apologies|i apologi[sz]e)`);
    expect(sorry.flags).toBe('');
  });

  it('matches a phrase only where a word starts', () => {
    const call = phrases(['call']);
    expect(call.test('i will call you')).toBe(true);
    expect(call.test('i recall that')).toBe(false);
  });

  it('lets a phrase run on into a longer word unless the end must be a whole word', () => {
    expect(phrases(['upset']).test('it upsets me')).toBe(true);
    const call = phrases(['call'], { end: 'word' });
    expect(call.test('i called')).toBe(false);
    expect(call.test('i will call.')).toBe(true);
  });

  it('can be held to the start of the text', () => {
    const yes = phrases(['yes', 'of course'], { begin: 'text', end: 'word' });
    expect(yes.source).toBe(String.raw`^(?:yes|of course)\b`);
    expect(yes.test('of course, right away')).toBe(true);
    expect(yes.test('well, yes')).toBe(false);
  });

  it('can put a fragment before every phrase', () => {
    const yes = phrases(['yes', 'sure'], { begin: /^(?:ok,? )?/, end: 'word' });
    expect(yes.test('ok, sure')).toBe(true);
    expect(yes.test('ok sure')).toBe(true);
    expect(yes.test('i am sure')).toBe(false);
  });

  it('can leave each phrase to say where it begins', () => {
    const money = phrases([/£\d+ off/, /\bdiscount/], { begin: 'anywhere' });
    // "£" is no word character: a leading \b would fail after the space.
    expect(money.test('i can take £10 off')).toBe(true);
    expect(money.test('a discount')).toBe(true);
    expect(money.test('nodiscount')).toBe(false);
  });

  it('takes flags for the whole rule', () => {
    const days = phrases(['monday', 'friday'], { flags: 'g' });
    expect([...'monday or friday'.matchAll(days)].map((m) => m[0])).toEqual(['monday', 'friday']);
  });
});

describe('a plain phrase', () => {
  it('is matched word for word, its regex characters escaped', () => {
    const odd = phrases(['t&cs', 'a.m.', '50% (approx)', 'what?', 'c++', 'nhs 111']);
    for (const text of ['see our t&cs', 'by 10 a.m.', 'about 50% (approx)', 'so what?', 'in c++', 'ring nhs 111'])
      expect(odd.test(text), text).toBe(true);
    expect(odd.test('by 10 axmx')).toBe(false);
    expect(odd.test('so wha')).toBe(false);
    expect(odd.test('50% approx')).toBe(false);
  });

  it('keeps the characters a rule table uses as they are', () => {
    expect(phrases(['non-refundable', "manager's approval", 'sign-off']).source).toBe(
      String.raw`\b(?:non-refundable|manager's approval|sign-off)`,
    );
  });
});

describe('a pattern fragment', () => {
  it('keeps groups, lookarounds, classes and anchors working', () => {
    const rule = phrases([/(?<!non-)refund(?:ed|s)?\b/, /swap it(?! for a new)/, /thanks for calling[.!]?$/, /you must have \w+ed\b/]);
    expect(rule.test('a refund')).toBe(true);
    expect(rule.test('non-refundable')).toBe(false);
    expect(rule.test('i can swap it for another')).toBe(true);
    expect(rule.test('i can swap it for a new one')).toBe(false);
    expect(rule.test('thanks for calling!')).toBe(true);
    expect(rule.test('thanks for calling, can i ask')).toBe(false);
    expect(rule.test('you must have dropped it')).toBe(true);
  });

  it('numbers its capture groups in the order of the list', () => {
    const who = phrases([/(i|we) will (\w+)/, /(you) will (get|have)/]);
    expect('you will get it'.match(who)?.slice(1)).toEqual([undefined, undefined, 'you', 'get']);
  });

  it('may hold "|" inside a group, a class or escaped', () => {
    expect(phrases([/(?:a|b)c/, /[|]x/, /y\|z/]).source).toBe(String.raw`\b(?:(?:a|b)c|[|]x|y\|z)`);
  });
});

describe('nested lists and sequences', () => {
  it('build the same expression as writing it out by hand', () => {
    const rule = phrases([
      sequence([/i (?:will|would) need to /, anyOf(['ask', /check with/]), / (?:my|the) /, anyOf(['manager', 'team leader'])]),
      'subject to approval',
    ]);
    expect(rule.source).toBe(
      String.raw`\b(?:i (?:will|would) need to (?:ask|check with) (?:my|the) (?:manager|team leader)|subject to approval)`,
    );
    expect(rule.test('i would need to check with the team leader')).toBe(true);
  });

  it('can be a fragment of another rule', () => {
    const amount = sequence([phrases(['refund', 'give']), /\s+(?:you\s+)?£(\d+)/]);
    expect('i can give you £40'.match(amount)?.[1]).toBe('40');
    expect('we forgive you £40'.match(amount)).toBeNull();
  });

  it('takes flags on a sequence', () => {
    expect(sequence([/if /, anyOf(['we', 'i']), / can not/], 'g').flags).toBe('g');
  });
});

describe('mistakes in a phrase list', () => {
  it('refuses an empty list or an empty phrase, either of which would match every sentence', () => {
    expect(() => phrases([])).toThrow(/at least one phrase/);
    expect(() => phrases(['ok', ''])).toThrow(/empty phrase/);
  });

  it('refuses a fragment with flags of its own', () => {
    expect(() => phrases([/sorry/i])).toThrow(/no flags/);
  });

  it('refuses two alternatives joined on one line', () => {
    expect(() => phrases([/sorry|apologies/])).toThrow(/own line/);
    expect(() => sequence([/if /, /we|i/])).toThrow(/own line/);
  });
});
