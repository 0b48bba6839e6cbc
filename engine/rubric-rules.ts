/**
 * Checks that the rubric's parts agree: every dimension cites criteria that exist in the units
 * file, levels run 0 to 3 in order, and ids are unique.
 */
import type { Problem } from './problem.ts';
import type { Dimension, Unit } from './rubric-schema.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

export function checkUnits(units: Unit[], source: YamlSource, seen: Set<string>): Problem[] {
  const problems: Problem[] = [];
  units.forEach((unit, u) => {
    if (seen.has(unit.id)) {
      problems.push(problemAt(source, ['units', u, 'id'], `unit "${unit.id}" is defined twice`, 'keep one definition per unit'));
    }
    seen.add(unit.id);
    const codes = new Set<string>();
    unit.criteria.forEach((criterion, c) => {
      if (codes.has(criterion.code)) {
        problems.push(
          problemAt(
            source,
            ['units', u, 'criteria', c, 'code'],
            `criterion ${unit.id} ${criterion.code} appears twice`,
            'give each criterion its own code',
          ),
        );
      }
      codes.add(criterion.code);
    });
  });
  return problems;
}

export function checkDimensions(
  dimensions: Dimension[],
  source: YamlSource,
  units: Unit[],
  seen: Set<string>,
  scorable?: { name: string; dimensions: readonly string[] },
): Problem[] {
  const problems: Problem[] = [];
  const report = (path: PropertyKey[], message: string, fix: string) => problems.push(problemAt(source, path, message, fix));
  const unitIds = units.map((u) => u.id);
  dimensions.forEach((dimension, d) => {
    if (seen.has(dimension.id))
      report(['dimensions', d, 'id'], `dimension "${dimension.id}" is defined twice`, 'keep one definition per dimension');
    seen.add(dimension.id);
    if (scorable && !scorable.dimensions.includes(dimension.id)) {
      report(
        ['dimensions', d, 'id'],
        `the ${scorable.name} has no judge for the dimension "${dimension.id}", so it would never be scored`,
        `remove the dimension, or choose a scorer that judges it (JUDGE_MODE); ${scorable.name} judges: ${scorable.dimensions.join(', ')}`,
      );
    }
    dimension.levels.forEach((level, l) => {
      if (level.level !== l)
        report(
          ['dimensions', d, 'levels', l, 'level'],
          `level ${level.level} is in position ${l}`,
          'list the levels 0, 1, 2, 3 in that order',
        );
    });
    dimension.evidences.forEach((citation, e) => {
      const unit = units.find((u) => u.id === citation.unit);
      if (!unit) {
        report(['dimensions', d, 'evidences', e, 'unit'], `no unit has the id "${citation.unit}"`, `use one of: ${unitIds.join(', ')}`);
        return;
      }
      citation.criteria.forEach((code, c) => {
        if (!unit.criteria.some((criterion) => criterion.code === code)) {
          report(
            ['dimensions', d, 'evidences', e, 'criteria', c],
            `${unit.id} has no criterion "${code}"`,
            `use a code listed under ${unit.id} in units.yaml`,
          );
        }
      });
    });
  });
  return problems;
}
