import { StoreSchemaTooNewError } from "@bosun/core";
import { ReopeningStore } from "../reopening.js";
import { openPostgresStore, type PostgresStoreOptions, type PostgresStoreWithCredentials } from "./index.js";
import { closedError } from "./unavailable.js";

/**
 * Opens the store like openPostgresStore, but a database that cannot be reached yet (refused, timed
 * out, a name that does not resolve yet, a server starting up or out of connections) does not stop
 * the caller: it gets a store that answers StoreUnavailableError (so /readyz and webhooks say 503)
 * and connects on a later call, with back-off, once the server is there; as on Kubernetes, where the
 * database may come up after Bosun. What waiting cannot fix still rejects at once: a malformed URL,
 * refused credentials, a missing database, a schema newer than this Bosun.
 * `onFailure` hears each failed attempt, for the log.
 */
export async function openPostgresStoreReopening(
  options: PostgresStoreOptions,
  onFailure?: (err: Error) => void,
): Promise<PostgresStoreWithCredentials> {
  try {
    return await openPostgresStore(options);
  } catch (err) {
    if (!unreachable(err)) throw err;
    onFailure?.(err as Error);
    return new ReopeningStore(() => openPostgresStore(options), err, closedError, onFailure);
  }
}

/** Socket errors of a server that is not (yet) there. */
const NOT_THERE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
/** SQLSTATEs of a server that is there but cannot take us yet: starting up, shutting down, full. */
const NOT_READY = new Set(["57P03", "57P01", "53300"]);
/** pg's own messages for a connection that timed out or dropped before it was made. */
const DROPPED = /^(timeout expired|Connection terminated( unexpectedly)?)$/;

function unreachable(err: unknown): boolean {
  if (err instanceof StoreSchemaTooNewError) return false;
  for (let e = err; e instanceof Error; e = e.cause) {
    const causes = e instanceof AggregateError ? [e, ...(e.errors as unknown[])] : [e];
    for (const c of causes) {
      const code = (c as { code?: unknown }).code;
      if (typeof code === "string" && (NOT_THERE.has(code) || NOT_READY.has(code))) return true;
      if (c instanceof Error && DROPPED.test(c.message)) return true;
    }
  }
  return false;
}
