/**
 * Checks that go beyond a scenario file's shape: its parts must agree with each other and with the
 * rubric, so that the customer simulator and the scorer never meet a contradiction at run time.
 */
import { closest } from 'fastest-levenshtein';
import { routeFor } from './authority-check.ts';
import { readTopic } from './scenario-vocabulary.ts';
import type { Problem } from './problem.ts';
import { formatPounds } from './money.ts';
import type { Scenario } from './scenario-schema.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

export function checkScenario(
  scenario: Scenario,
  source: YamlSource,
  context: { fileId: string; dimensionIds: readonly string[]; scorable?: { name: string; dimensions: readonly string[] } },
): Problem[] {
  const problems: Problem[] = [];
  const report = (path: PropertyKey[], message: string, fix: string) => problems.push(problemAt(source, path, message, fix));

  if (scenario.id !== context.fileId) {
    report(
      ['id'],
      `the id "${scenario.id}" differs from the file name "${context.fileId}.yaml"`,
      `rename the file to ${scenario.id}.yaml or set id: ${context.fileId}`,
    );
  }

  // With no dimensions loaded the rubric itself is broken and says so; do not repeat it per scenario.
  scenario.dimensions.forEach((id, i) => {
    if (context.dimensionIds.length > 0 && !context.dimensionIds.includes(id)) {
      const guess = closest(id, [...context.dimensionIds]);
      report(
        ['dimensions', i],
        `unknown rubric dimension "${id}"`,
        `did you mean "${guess}"? Dimensions are: ${context.dimensionIds.join(', ')}`,
      );
    } else if (context.scorable && !context.scorable.dimensions.includes(id)) {
      report(
        ['dimensions', i],
        `the ${context.scorable.name} has no judge for the dimension "${id}", so it would never be scored`,
        `remove it, or choose a scorer that judges it (JUDGE_MODE); ${context.scorable.name} judges: ${context.scorable.dimensions.join(', ')}`,
      );
    }
  });
  if (!scenario.resolvable && !scenario.dimensions.includes('unresolved')) {
    report(['dimensions'], 'a scenario that cannot be resolved must assess "unresolved"', 'add "- unresolved" to dimensions');
  }
  if (scenario.repeatedProblem && !scenario.dimensions.includes('reporting')) {
    report(
      ['dimensions'],
      'a repeated problem must assess "reporting" (alerting the appropriate authority)',
      'add "- reporting" to dimensions',
    );
  }

  duplicates(scenario.facts.map((f) => f.id)).forEach((i) =>
    report(['facts', i, 'id'], `fact id "${scenario.facts[i]!.id}" is used twice`, 'give each fact its own id'),
  );
  duplicates(scenario.options.map((o) => o.id)).forEach((i) =>
    report(['options', i, 'id'], `option id "${scenario.options[i]!.id}" is used twice`, 'give each option its own id'),
  );
  duplicates(scenario.sourcesOfHelp.map((s) => s.id)).forEach((i) =>
    report(
      ['sourcesOfHelp', i, 'id'],
      `source of help id "${scenario.sourcesOfHelp[i]!.id}" is used twice`,
      'give each source of help its own id',
    ),
  );
  duplicates(scenario.authority.mayOffer.map((o) => o.action)).forEach((i) =>
    report(
      ['authority', 'mayOffer', i, 'action'],
      `"${scenario.authority.mayOffer[i]!.action}" is listed twice`,
      'keep one entry per action, with the highest amount the learner may offer',
    ),
  );

  checkFacts(scenario, report);
  checkOptionsAgainstAuthority(scenario, report);
  checkResolvability(scenario, report);
  return problems;
}

type Report = (path: PropertyKey[], message: string, fix: string) => void;

function checkFacts(scenario: Scenario, report: Report): void {
  const factIds = scenario.facts.map((f) => f.id);
  scenario.cause.revealedBy.forEach((id, i) => {
    const fact = scenario.facts.find((f) => f.id === id);
    if (!fact) {
      report(['cause', 'revealedBy', i], `no fact has the id "${id}"`, `use one of: ${factIds.join(', ')}, or add a fact with this id`);
    } else if (!fact.cause) {
      const index = scenario.facts.indexOf(fact);
      report(['facts', index, 'cause'], `fact "${id}" reveals the cause but is not marked as part of it`, 'add "cause: true" to this fact');
    }
  });
  scenario.facts.forEach((fact, f) => {
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

function checkOptionsAgainstAuthority(scenario: Scenario, report: Report): void {
  scenario.options.forEach((option, i) => {
    const route = routeFor(scenario.authority, option.action, option.amount);
    if (route.kind === 'forbidden') {
      report(
        ['options', i, 'action'],
        `option "${option.id}" offers "${option.action}", which authority.never forbids`,
        'remove the option, or change authority.never if it really may be offered',
      );
    } else if (route.kind === 'none' && route.upTo !== undefined && option.amount !== undefined) {
      report(
        ['options', i, 'amount'],
        `option "${option.id}" costs ${formatPounds(option.amount)}, more than the ${formatPounds(route.upTo)} the learner may offer for ${option.action}, with no approval route`,
        `add an authority.needsApproval entry for "${option.action}" (approver and how), or lower the amount`,
      );
    } else if (route.kind === 'none') {
      report(
        ['options', i, 'action'],
        `option "${option.id}" offers "${option.action}", which the learner may not offer and has no approval route for`,
        `add "${option.action}" to authority.mayOffer, or an authority.needsApproval entry saying who approves it and how`,
      );
    }
  });
}

function checkResolvability(scenario: Scenario, report: Report): void {
  if (scenario.resolvable) {
    if (scenario.unresolvableBecause !== undefined) {
      report(
        ['unresolvableBecause'],
        'only a scenario with "resolvable: false" has a reason it cannot be resolved',
        'remove unresolvableBecause, or set resolvable: false',
      );
    }
    if (!scenario.options.some((o) => o.workable)) {
      report(
        ['options'],
        'a resolvable scenario needs at least one workable option',
        'mark the option that balances customer and organisation with "workable: true", or set resolvable: false',
      );
    }
    return;
  }
  if (scenario.unresolvableBecause === undefined) {
    report(
      ['resolvable'],
      'a scenario that cannot be resolved must say why',
      'add "unresolvableBecause:" with the reason the learner should explain to the customer',
    );
  }
  for (const kind of ['internal', 'external'] as const) {
    if (!scenario.sourcesOfHelp.some((s) => s.kind === kind)) {
      report(
        ['sourcesOfHelp'],
        `a scenario that cannot be resolved needs an ${kind} source of help to refer to`,
        `add a sourcesOfHelp entry with "kind: ${kind}", its contact and when to use it`,
      );
    }
  }
}

/** Indices of entries that repeat an earlier entry. */
function duplicates(values: string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
