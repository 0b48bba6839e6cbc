/** An error in how a command was used or in its input: shown as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
