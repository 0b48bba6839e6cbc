/**
 * botbuilder-dialogs wraps whatever a dialog throws in a `DialogContextError` (keeping the original
 * as `.error`), so a store's StoreUnavailableError or a refused write arrives wrapped, perhaps more
 * than once. The bot decides what to do by the original.
 */
export function underlyingError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10 && isWrapper(current); depth += 1) current = current.error;
  return current;
}

function isWrapper(error: unknown): error is { error: unknown } {
  return error instanceof Error && error.name === 'DialogContextError' && 'error' in error && error.error instanceof Error;
}
