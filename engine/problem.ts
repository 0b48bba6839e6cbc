/**
 * A problem found in a rubric or scenario file, located so an author can go straight to it.
 *
 * @remarks
 * Every check in the validator reports `Problem`s rather than throwing, so that all of a file's
 * problems are reported in one run, each as `file:line:column: path: what is wrong — how to fix`.
 */
export interface Problem {
  file: string;
  /** 1-based line and column of the YAML node the problem is about. */
  line: number;
  column: number;
  /** Where in the document, e.g. `authority.mayOffer[2].upTo`; empty for the whole file. */
  path: string;
  message: string;
  fix: string;
}

/** Formats a path of keys and indices the way an author reads YAML: `options[1].amount`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const path = problem.path === '' ? '' : ` ${problem.path}:`;
  return `${where}:${path} ${problem.message} — ${problem.fix}`;
}

/** Orders problems by file, then position, so reports read top to bottom. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
