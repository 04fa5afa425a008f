import { StoreSchemaTooNewError, StoreUnavailableError } from "@bosun/core";

/**
 * Turns whatever node-postgres threw (a refused connection, a server shutting down, an SQL error) into
 * a StoreUnavailableError that says what was being done, so callers never see a raw driver error.
 * Messages name the server by host, port and database only: never the URL, which may hold a password.
 */
export function unavailable(doing: string, err: unknown): StoreUnavailableError | StoreSchemaTooNewError {
  if (err instanceof StoreUnavailableError || err instanceof StoreSchemaTooNewError) return err;
  return new StoreUnavailableError(`PostgreSQL store: ${doing} failed: ${describe(err)}`, { cause: err });
}

/** For calls made after close(). */
export function closedError(doing: string): StoreUnavailableError {
  return new StoreUnavailableError(`PostgreSQL store: ${doing} failed: the store is closed`);
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (!(err instanceof Error)) return String(err);
  const { code } = err as Error & { code?: string };
  const message = err.message || code || err.name;
  return code && !message.includes(code) ? `${message} [${code}]` : message;
}
