/**
 * Accessibility checks in a real browser: axe-core run inside a playwright page, keeping the
 * violations a learner or tutor using assistive technology would be blocked by (serious, critical).
 *
 * @remarks
 * `@axe-core/playwright` declares Node ≥ 22, so axe's own bundle is injected as a script tag. A page
 * served with a CSP that forbids scripts needs a browser context created with `bypassCSP: true`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults, ImpactValue, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SCRIPT = path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js');

const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

let source: Promise<string> | undefined;

/** The serious and critical axe violations on the page as it is now. */
export async function axeViolations(page: Page, options: RunOptions = {}): Promise<Result[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis)))
    await page.addScriptTag({ content: await (source ??= readFile(AXE_SCRIPT, 'utf8')) });
  const results = await page.evaluate(
    (runOptions) =>
      (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, runOptions),
    { ...options, resultTypes: ['violations'] } as RunOptions,
  );
  return results.violations.filter((v) => v.impact !== undefined && v.impact !== null && BLOCKING.includes(v.impact));
}

/** One line per violation and element, for a test failure to read: "color-contrast (serious) …: .badge". */
export function describeViolations(violations: readonly Result[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((node) => `${v.id} (${v.impact}) ${v.help}: ${node.target.join(' ')} ${node.failureSummary ?? ''}`.trim()),
  );
}

/** Fails the test, naming the page and each violation, if axe finds any on the page. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(describeViolations(await axeViolations(page)), what).toEqual([]);
}
