/**
 * The score report as text for a terminal, from the one view of a scored rehearsal: the summary
 * and the one thing to work on first, breaches, levels with what they mean, criteria, evidence and
 * suggestions, the replies that stood out, what the learner could not see, and commitments.
 */
import type { DebriefView } from '../engine/debrief-view.ts';

export function formatScoreReport(view: DebriefView): string {
  const out: string[] = [`Score report — ${view.title}`, '', view.headline];
  if (view.focus) {
    out.push(`WORK ON FIRST: ${view.focus.name}: ${view.focus.levelText}`);
    if (view.focus.nextStep) out.push(`  To reach ${view.focus.nextStep}`);
    if (view.focus.modelLine) out.push(`  You could say: "${view.focus.modelLine}"`);
  }
  out.push('');
  if (view.breaches.length > 0) {
    out.push('AUTHORITY BREACHES (blockers)');
    for (const b of view.breaches) out.push(`  turn ${b.turn}: "${b.quote}"`, `    ${b.rule}`);
    out.push('');
  }
  for (const d of view.dimensions) {
    const codes = d.criteria.slice(0, 6).join(', ');
    out.push(`${d.name}: ${d.levelText}${codes ? `   [${codes}]` : ''}`);
    if (d.noOccasion ?? d.descriptor) out.push(`    ${d.noOccasion ?? d.descriptor}`);
    for (const e of d.evidence) out.push(`    turn ${e.turn} — ${e.reason}: "${truncate(e.quote, 110)}"`);
    if (d.suggestion) out.push(`    Try: ${d.suggestion}`);
    out.push('');
  }
  for (const [label, reply] of [
    ['STRONGEST REPLY', view.strongest],
    ['REPLY TO WORK ON', view.weakest],
  ] as const) {
    if (!reply) continue;
    out.push(
      `${label}: turn ${reply.turn}${reply.levels.length > 0 ? ` (${reply.levels.join(', ')})` : ''}`,
      `  "${truncate(reply.quote, 200)}"`,
      ...(reply.why ? [`  ${reply.why}`] : []),
      '',
    );
  }
  if (view.hidden) {
    out.push('WHAT YOU COULD NOT SEE', `  The cause: ${view.hidden.cause}`, `  The customer wanted: ${view.hidden.wanted}`);
    out.push(`  You uncovered: ${view.hidden.uncovered.length === 0 ? 'none of the hidden facts' : view.hidden.uncovered.join(' · ')}`);
    if (view.hidden.missed.length > 0) out.push(`  You missed: ${view.hidden.missed.join(' · ')}`);
    out.push(`  The organisation could offer: ${view.hidden.couldOffer.join(' · ')}`, '');
  }
  out.push('COMMITMENTS MADE');
  if (view.commitments.length === 0) out.push('  none');
  for (const c of view.commitments) out.push(`  ${c.sentence}`);
  return `${out.join('\n')}\n`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
