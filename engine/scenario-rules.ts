/**
 * Checks that go beyond a scenario file's shape: its parts must agree with each other and with the
 * rubric, so that the customer simulator and the scorer never meet a contradiction at run time.
 *
 * @remarks
 * The checks take the parts of the file that fit the schema (`partsThatFit`), so they run in the
 * same pass as the shape checks: each check runs when the parts it reads are there, and is left
 * out, not guessed at, when one of them is broken. Problems stop a scenario being played;
 * warnings (`scenarioWarnings`) name what will work, but not as the author probably meant.
 */
import { closest } from 'fastest-levenshtein';
import { routeFor } from './authority-check.ts';
import { namesWhoDecides, readTopic } from './scenario-vocabulary.ts';
import type { Problem } from './problem.ts';
import { formatPounds } from './money.ts';
import { checkMoodEvents } from './mood-event-checks.ts';
import type { Authority, Scenario } from './scenario-schema.ts';
import { analyse } from './utterance.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

/** A scenario file's parts that fit the schema: the whole scenario when the file is valid. */
type ScenarioParts = Partial<Scenario>;

export function checkScenario(
  scenario: ScenarioParts,
  source: YamlSource,
  context: {
    fileId: string;
    dimensionIds: readonly string[];
    scorable?: { name: string; dimensions: readonly string[] };
    /** Top-level keys the file has but that do not fit the schema: not missing, only broken. */
    unfit?: ReadonlySet<string>;
  },
): Problem[] {
  const problems: Problem[] = [];
  const report = (path: PropertyKey[], message: string, fix: string) => problems.push(problemAt(source, path, message, fix));
  const { id, dimensions, resolvable, facts, options, sourcesOfHelp, authority } = scenario;

  if (id !== undefined && id !== context.fileId) {
    report(
      ['id'],
      `the id "${id}" differs from the file name "${context.fileId}.yaml"`,
      `rename the file to ${id}.yaml or set id: ${context.fileId}`,
    );
  }

  // With no dimensions loaded the rubric itself is broken and says so; do not repeat it per scenario.
  dimensions?.forEach((dimension, i) => {
    if (context.dimensionIds.length > 0 && !context.dimensionIds.includes(dimension)) {
      const guess = closest(dimension, [...context.dimensionIds]);
      report(
        ['dimensions', i],
        `unknown rubric dimension "${dimension}"`,
        `did you mean "${guess}"? Dimensions are: ${context.dimensionIds.join(', ')}`,
      );
    } else if (context.scorable && !context.scorable.dimensions.includes(dimension)) {
      report(
        ['dimensions', i],
        `the ${context.scorable.name} has no judge for the dimension "${dimension}", so it would never be scored`,
        `remove it, or choose a scorer that judges it (JUDGE_MODE); ${context.scorable.name} judges: ${context.scorable.dimensions.join(', ')}`,
      );
    }
  });
  if (dimensions && resolvable !== undefined && resolvable !== true && !dimensions.includes('unresolved')) {
    report(
      ['dimensions'],
      `a scenario that cannot be ${resolvable === 'partly' ? 'fully ' : ''}resolved must assess "unresolved"`,
      'add "- unresolved" to dimensions',
    );
  }
  if (dimensions && scenario.repeatedProblem && !dimensions.includes('reporting')) {
    report(
      ['dimensions'],
      'a repeated problem must assess "reporting" (alerting the appropriate authority)',
      'add "- reporting" to dimensions',
    );
  }

  if (facts)
    duplicates(facts.map((f) => f.id)).forEach((i) =>
      report(['facts', i, 'id'], `fact id "${facts[i]!.id}" is used twice`, 'give each fact its own id'),
    );
  if (options)
    duplicates(options.map((o) => o.id)).forEach((i) =>
      report(['options', i, 'id'], `option id "${options[i]!.id}" is used twice`, 'give each option its own id'),
    );
  if (sourcesOfHelp)
    duplicates(sourcesOfHelp.map((s) => s.id)).forEach((i) =>
      report(
        ['sourcesOfHelp', i, 'id'],
        `source of help id "${sourcesOfHelp[i]!.id}" is used twice`,
        'give each source of help its own id',
      ),
    );
  if (authority) {
    duplicates(authority.mayOffer.map((o) => o.action)).forEach((i) =>
      report(
        ['authority', 'mayOffer', i, 'action'],
        `"${authority.mayOffer[i]!.action}" is listed twice`,
        'keep one entry per action, with the highest amount the learner may offer',
      ),
    );
    checkAllowedAndForbidden(authority, report);
    checkAuthorityForms(authority, facts, report);
  }

  if (facts) checkFacts(facts, scenario.cause, report);
  if (options && authority) checkOptionsAgainstAuthority(options, authority, report);
  if (resolvable !== undefined) checkResolvability(scenario, context.unfit ?? new Set(), report);
  problems.push(...checkMoodEvents(scenario, source));
  return problems;
}

type Report = (path: PropertyKey[], message: string, fix: string) => void;

function checkFacts(facts: Scenario['facts'], cause: Scenario['cause'] | undefined, report: Report): void {
  const factIds = facts.map((f) => f.id);
  cause?.revealedBy.forEach((id, i) => {
    const fact = facts.find((f) => f.id === id);
    if (!fact) {
      report(['cause', 'revealedBy', i], `no fact has the id "${id}"`, `use one of: ${factIds.join(', ')}, or add a fact with this id`);
    } else if (!fact.cause) {
      const index = facts.indexOf(fact);
      report(['facts', index, 'cause'], `fact "${id}" reveals the cause but is not marked as part of it`, 'add "cause: true" to this fact');
    }
  });
  facts.forEach((fact, f) => {
    fact.topics.forEach((topic, t) => {
      // The same reading the scripted customer uses to match questions to topics.
      if (readTopic(topic) === undefined) {
        report(
          ['facts', f, 'topics', t],
          `no question can reveal this fact through "${topic}": it has no content word`,
          'name what the learner would ask about, e.g. "receipt", "when bought", "error message"',
        );
      }
    });
  });
}

function checkOptionsAgainstAuthority(options: Scenario['options'], authority: Authority, report: Report): void {
  options.forEach((option, i) => {
    const route = routeFor(authority, option.action, option.amount);
    if (route.kind === 'forbidden') {
      report(
        ['options', i, 'action'],
        `option "${option.id}" offers "${option.action}", which authority.never forbids`,
        'remove the option, or change authority.never if it really may be offered',
      );
    } else if (route.kind === 'none' && option.amount !== undefined) {
      report(
        ['options', i, 'amount'],
        `option "${option.id}" costs ${formatPounds(option.amount)}, more than the ${formatPounds(route.upTo)} the learner may offer for ${option.action}, with no approval route`,
        `add an authority.needsApproval entry for "${option.action}" (approver and how), or lower the amount`,
      );
    } else if (route.kind === 'unlisted') {
      report(
        ['options', i, 'action'],
        `option "${option.id}" offers "${option.action}", which the learner may not offer and has no approval route for`,
        `add "${option.action}" to authority.mayOffer, or an authority.needsApproval entry saying who approves it and how`,
      );
    }
  });
}

/**
 * A named form of an action needs the words that name it (and words need a form to name), and a
 * condition must name a hidden fact the learner can uncover.
 */
function checkAuthorityForms(authority: Authority, facts: Scenario['facts'] | undefined, report: Report): void {
  for (const list of ['mayOffer', 'needsApproval', 'never'] as const) {
    authority[list].forEach((entry, i) => {
      if (entry.form !== undefined && entry.wordings === undefined) {
        report(
          ['authority', list, i, 'form'],
          `the form "${entry.form}" of "${entry.action}" has no wordings, so no offer could ever be read as it`,
          `add "wordings:" with the words a learner would use for it, e.g. ["same day", "this afternoon"]`,
        );
      }
      if (entry.wordings !== undefined && entry.form === undefined) {
        report(
          ['authority', list, i, 'wordings'],
          `wordings here name a form of "${entry.action}", but the entry has no "form"`,
          'add "form:" with a short name for it (e.g. "same-day collection"), or move the wordings to the option they offer',
        );
      }
      const fact = entry.onlyIf?.factUncovered;
      if (fact !== undefined && facts !== undefined && !facts.some((f) => f.id === fact)) {
        const ids = facts.map((f) => f.id);
        report(
          ['authority', list, i, 'onlyIf', 'factUncovered'],
          `no fact has the id "${fact}"`,
          `did you mean "${closest(fact, ids)}"? Facts are: ${ids.join(', ')}`,
        );
      }
    });
  }
}

function checkResolvability(scenario: ScenarioParts, unfit: ReadonlySet<string>, report: Report): void {
  if (scenario.resolvable === 'partly') {
    // One part can be put right (a workable option) and another cannot (a reason and a referral).
    if (scenario.options && !scenario.options.some((o) => o.workable)) {
      report(
        ['options'],
        'a partly resolvable scenario needs a workable option for the part that can be put right',
        'mark the option that balances customer and organisation with "workable: true"',
      );
    }
    if (scenario.unresolvableBecause === undefined && !unfit.has('unresolvableBecause')) {
      report(
        ['resolvable'],
        'a partly resolvable scenario must say which part cannot be resolved, and why',
        'add "unresolvableBecause:" with the part the learner should explain to the customer',
      );
    }
    return;
  }
  if (scenario.resolvable) {
    if (scenario.unresolvableBecause !== undefined) {
      report(
        ['unresolvableBecause'],
        'only a scenario with "resolvable: false" has a reason it cannot be resolved',
        'remove unresolvableBecause, or set resolvable: false',
      );
    }
    if (scenario.options && !scenario.options.some((o) => o.workable)) {
      report(
        ['options'],
        'a resolvable scenario needs at least one workable option',
        'mark the option that balances customer and organisation with "workable: true", or set resolvable: false',
      );
    }
    return;
  }
  // Written but broken, it has a problem of its own already.
  if (scenario.unresolvableBecause === undefined && !unfit.has('unresolvableBecause')) {
    report(
      ['resolvable'],
      'a scenario that cannot be resolved must say why',
      'add "unresolvableBecause:" with the reason the learner should explain to the customer',
    );
  }
  for (const kind of ['internal', 'external'] as const) {
    if (scenario.sourcesOfHelp && !scenario.sourcesOfHelp.some((s) => s.kind === kind)) {
      report(
        ['sourcesOfHelp'],
        `a scenario that cannot be resolved needs an ${kind} source of help to refer to`,
        `add a sourcesOfHelp entry with "kind: ${kind}", its contact and when to use it`,
      );
    }
  }
}

/** Keys of an authority entry that describe it rather than say which offers it covers. */
const DESCRIPTIVE_KEYS = new Set(['action', 'what', 'note', 'approver', 'how', 'upTo', 'above', 'wordings']);

/**
 * An action both allowed (`mayOffer` or `needsApproval`) and forbidden (`never`), with nothing to
 * tell the two apart, is a contradiction: `never` wins, so the learner could never use the other.
 * Entries are told apart by amounts that do not overlap, or by any other key that says which form
 * of the action an entry covers (a later schema may add some) with different values in each.
 */
function checkAllowedAndForbidden(authority: Authority, report: Report): void {
  authority.never.forEach((forbidden, f) => {
    const allowed = [
      ...authority.mayOffer.map((entry, i) => ({ entry, path: ['authority', 'mayOffer', i] as const })),
      ...authority.needsApproval.map((entry, i) => ({ entry, path: ['authority', 'needsApproval', i] as const })),
    ].filter(({ entry }) => entry.action === forbidden.action && !toldApart(entry, forbidden));
    for (const { path } of allowed) {
      const where = `${path[1]}[${String(path[2])}]`;
      report(
        ['authority', 'never', f, 'action'],
        `"${forbidden.action}" is both allowed (authority.${where}) and forbidden (authority.never[${String(f)}]), with no amount to tell them apart`,
        `authority.never forbids every ${forbidden.action}, so authority.${where} can never be used: remove one of the two, or if only larger ${forbidden.action}s are forbidden, cap authority.mayOffer with upTo and route the rest through authority.needsApproval`,
      );
    }
  });
}

function toldApart(allowed: object, forbidden: object): boolean {
  const a = allowed as Record<string, unknown> & { upTo?: number; above?: number };
  const f = forbidden as Record<string, unknown> & { upTo?: number; above?: number };
  // Forbidden only above an amount, allowed only up to it (or at most that).
  if (f.above !== undefined && a.upTo !== undefined && a.upTo <= f.above) return true;
  // Forbidden only up to an amount, allowed only above it.
  if (f.upTo !== undefined && a.above !== undefined && a.above >= f.upTo) return true;
  const qualifiers = new Set([...Object.keys(a), ...Object.keys(f)].filter((k) => !DESCRIPTIVE_KEYS.has(k)));
  return [...qualifiers].some((k) => JSON.stringify(a[k]) !== JSON.stringify(f[k]));
}

/**
 * Words that name what nearly every conversation is about: a topic that comes down to one of them
 * ("which order" is read as "order") reveals its fact on almost any question. Lemmas, lower case.
 */
const BROAD_TOPIC_WORDS: readonly string[] = [
  'order',
  'account',
  'booking',
  'problem',
  'issue',
  'item',
  'product',
  'service',
  'thing',
  'question',
  'help',
  'detail',
  'information',
  'customer',
  'time',
  'day',
  'date',
  'number',
  'payment',
  'money',
];

/**
 * What will work, but probably not as the author meant: a question topic so broad that it would
 * reveal its fact on questions about something else.
 */
export function scenarioWarnings(scenario: ScenarioParts, source: YamlSource): Problem[] {
  const warnings: Problem[] = [...wordingWarnings(scenario, source)];
  const { facts } = scenario;
  if (!facts) return warnings;
  const singleWord = (topic: string) => {
    const read = readTopic(topic);
    // A question word keeps a one-word topic narrow ("which order" needs "which"): no warning.
    return read && 'words' in read && read.words.length === 1 && read.asks === undefined ? read.words[0]! : undefined;
  };
  const wordsOf = (topic: string) => {
    const read = readTopic(topic);
    return read && 'words' in read ? read.words : [];
  };
  // The briefing is left out: it is the learner's, and asking about what it names is asking well.
  const elsewhere: Array<{ where: string; words: ReadonlySet<string> }> = [
    ...(scenario.customer ? [{ where: "the customer's opening", words: analyse(scenario.customer.opening).contentLemmas }] : []),
  ];
  facts.forEach((fact, f) => {
    // One warning per word of a fact, naming every topic of it that comes down to that word.
    const byWord = new Map<string, number[]>();
    fact.topics.forEach((topic, t) => {
      const word = singleWord(topic);
      if (word !== undefined) byWord.set(word, [...(byWord.get(word) ?? []), t]);
    });
    for (const [word, topicIndices] of byWord) {
      const otherFact = facts.find((other, o) => o !== f && other.topics.some((each) => wordsOf(each).includes(word)));
      const seenIn = elsewhere.find((e) => e.words.has(word));
      const why = BROAD_TOPIC_WORDS.includes(word)
        ? 'a word most questions in a conversation like this use'
        : otherFact
          ? `which a topic of fact "${otherFact.id}" uses too`
          : seenIn
            ? `which ${seenIn.where} uses too`
            : undefined;
      if (why === undefined) continue;
      const topics = topicIndices.map((t) => `"${fact.topics[t]!}"`).join(', ');
      warnings.push(
        problemAt(
          source,
          ['facts', f, 'topics', topicIndices[0]!],
          `${topicIndices.length === 1 ? 'the topic' : 'the topics'} ${topics} ${topicIndices.length === 1 ? 'comes' : 'come'} down to the one word "${word}", ${why}: any question with "${word}" in it will reveal "${fact.id}"`,
          `add a word that only a question about this fact would use ("which order" → "order number"), or remove the topic if another one covers the fact`,
        ),
      );
    }
  });
  return warnings;
}

/** An option's wording that names who approves, not the remedy: ignored by the reader, so said. */
function wordingWarnings(scenario: ScenarioParts, source: YamlSource): Problem[] {
  const { options, authority } = scenario;
  if (!options || !authority) return [];
  return options.flatMap((option, o) =>
    (option.wordings ?? []).flatMap((wording, w) =>
      namesWhoDecides(wording, { authority })
        ? [
            problemAt(
              source,
              ['options', o, 'wordings', w],
              `the wording "${wording}" names who approves, not the remedy, so it is ignored: a learner who mentions them offers nothing`,
              `use the words a learner would use for the remedy itself (what the customer gets), or remove this wording`,
            ),
          ]
        : [],
    ),
  );
}

/** Indices of entries that repeat an earlier entry. */
function duplicates(values: string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
