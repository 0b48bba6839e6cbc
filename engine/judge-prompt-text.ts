/**
 * The scenario, the rubric, the transcript and the rules' findings written out as the judge's
 * prompt is filled with them. Authority is written as data (action, limit, approver), the way the
 * engine checks breaches, so the judge and the engine reason from the same limits.
 */
import type { Turn } from './transcript.ts';
import type { RubricDimension } from './rubric-library.ts';
import { ACTION_KINDS, type Scenario } from './scenario-schema.ts';
import type { ScoreReport } from './score-report.ts';
import { formatPounds } from './money.ts';
import { asPromptData } from './prompt-data.ts';

export function scenarioText(scenario: Scenario): string {
  const { authority } = scenario;
  const lines = [
    `Title: ${scenario.title}`,
    `Summary: ${scenario.summary}`,
    `The advisor: ${scenario.setting.learnerRole}, ${scenario.setting.organisation} (${scenario.setting.sector}), by ${scenario.setting.channel}.`,
    `Briefing the advisor had: ${scenario.briefing}`,
    `The customer wants: ${scenario.customer.wants}`,
    `Hidden facts the advisor could find by asking: ${scenario.facts.map((f) => `${f.fact}${f.cause ? ' (part of the cause)' : ''}`).join(' | ')}`,
    `The cause: ${scenario.cause.summary}`,
    scenario.resolvable === true
      ? 'The advisor can resolve this problem.'
      : scenario.resolvable === 'partly'
        ? `The advisor can put part of this problem right but not all of it: ${scenario.unresolvableBecause ?? 'see the briefing'}. Good handling puts right what can be, explains why the rest cannot, and refers the customer on.`
        : `The advisor cannot resolve this problem: ${scenario.unresolvableBecause ?? 'see the briefing'}. Good handling explains why and refers the customer on.`,
    'AUTHORITY',
    ...authority.mayOffer.map(
      (m) =>
        `- may offer on their own: ${m.action}${formOf(m)}${m.upTo === undefined ? '' : ` up to ${formatPounds(m.upTo)}`}${m.note ? ` (${m.note})` : ''}`,
    ),
    ...authority.needsApproval.map(
      (n) =>
        `- needs approval: ${n.action}${formOf(n)}${n.above === undefined ? '' : ` above ${formatPounds(n.above)}`}, from ${n.approver} (${n.how})`,
    ),
    ...authority.never.map((n) => `- never: ${n.action}${formOf(n)} (${n.what})`),
    '- anything else on the action list: not within their authority',
    `Action words: ${ACTION_KINDS.join(', ')}`,
    'OPTIONS THE ORGANISATION CAN OFFER',
    ...scenario.options.map(
      (o) =>
        `- ${o.description} (${o.action}${o.amount === undefined ? '' : `, ${formatPounds(o.amount)}`}${o.workable ? '' : ', not workable'}); for the customer: + ${o.forCustomer.advantages.join('; ')} − ${o.forCustomer.disadvantages.join('; ')}`,
    ),
  ];
  if (scenario.sourcesOfHelp.length > 0)
    lines.push('SOURCES OF HELP', ...scenario.sourcesOfHelp.map((s) => `- ${s.name} (${s.kind}): ${s.contact}; when: ${s.when}`));
  if (scenario.policy.length > 0) lines.push('POLICY', ...scenario.policy.map((p) => `- ${p.title}: ${p.says}`));
  if (scenario.repeatedProblem)
    lines.push(
      `REPEATED PROBLEM: the customer has complained ${scenario.repeatedProblem.previousComplaints} time(s) before; the advisor should alert: ${scenario.repeatedProblem.alert}`,
    );
  return lines.join('\n');
}

export function rubricText(dimensions: readonly RubricDimension[], ids: readonly string[]): string {
  return ids
    .map((id) => {
      const d = dimensions.find((dimension) => dimension.id === id);
      if (!d) return `## ${id}`;
      return [
        `## ${d.id}: ${d.name}`,
        d.description,
        ...d.levels.map((l) => `- level ${l.level} (${l.name}): ${l.descriptor}`),
        ...(d.criteria.length > 0 ? [`Criteria: ${d.criteria.map((c) => `${c.unit} ${c.code} ${c.text}`).join(' | ')}`] : []),
      ].join('\n');
    })
    .join('\n\n');
}

/** Numbered turns, one line each; no turn can close the transcript's tags or pass for another turn. */
export function transcriptText(turns: readonly Turn[]): string {
  return turns.map((t, i) => `Turn ${i + 1} (${t.role === 'learner' ? 'advisor' : 'customer'}): ${asPromptData(t.text)}`).join('\n');
}

export function findingsText(report: ScoreReport): string {
  const dimensions = Object.entries(report.dimensions).map(
    ([id, d]) =>
      `- ${id}: level ${d.level ?? 'none (no occasion)'}${d.evidence.length > 0 ? `; evidence: ${d.evidence.map((e) => `turn ${e.turn} "${asPromptData(e.quote)}" (${asPromptData(e.reason)})`).join('; ')}` : ''}`,
  );
  const breaches = report.breaches.map((b, i) => `- breach ${i}: turn ${b.turn} "${asPromptData(b.quote)}": ${asPromptData(b.rule)}`);
  return ['Levels:', ...dimensions, breaches.length > 0 ? 'Breaches:' : 'Breaches: none', ...breaches].join('\n');
}

/** A form or a condition of an authority entry, in words: " as a same-day collection (said as …)". */
function formOf(entry: {
  form?: string | undefined;
  wordings?: string[] | undefined;
  onlyIf?: { factUncovered: string } | undefined;
}): string {
  const form = entry.form === undefined ? '' : ` as a ${entry.form} (said as: ${(entry.wordings ?? []).join(', ')})`;
  const condition = entry.onlyIf === undefined ? '' : ` once the advisor has found out fact "${entry.onlyIf.factUncovered}"`;
  return form + condition;
}
