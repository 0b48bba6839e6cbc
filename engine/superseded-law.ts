/**
 * Flags references to UK consumer law that no longer applies, so scenarios teach current law.
 *
 * @remarks
 * The qualification units were written before the Consumer Rights Act 2015 and still name the Sale
 * of Goods Act; for consumer contracts made since 1 October 2015 the 2015 Act applies instead.
 * Units quote them verbatim, so this check is for scenarios only.
 */
import type { Problem } from './problem.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

const SUPERSEDED = [
  {
    pattern: /sale of goods act|supply of goods and services act|sale and supply of goods to consumers/i,
    fix: 'for consumer contracts since 1 October 2015 cite the Consumer Rights Act 2015 (goods: ss.9–24; services: ss.49–57)',
  },
  {
    pattern: /unfair terms in consumer contracts regulations/i,
    fix: 'unfair terms in consumer contracts are now covered by Part 2 of the Consumer Rights Act 2015',
  },
] as const;

export function checkSupersededLaw(data: unknown, source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  walkStrings(data, [], (text, path) => {
    for (const law of SUPERSEDED) {
      const match = text.match(law.pattern);
      if (match) problems.push(problemAt(source, path, `"${match[0]}" no longer applies to consumer contracts`, law.fix));
    }
  });
  return problems;
}

function walkStrings(value: unknown, path: PropertyKey[], visit: (text: string, path: PropertyKey[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walkStrings(item, [...path, i], visit));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
  }
}
