import pg from "pg";
import { newId } from "@bosun/core";
import type { CredentialStore } from "../credentials/store.js";
import type { Store } from "../types.js";
import { PgCredentialStore } from "./credentials.js";
import { AcceptListener } from "./notifications.js";
import { migrate } from "./schema.js";
import { PostgresStore } from "./store.js";
import { unavailable } from "./unavailable.js";

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database[?...] */
  url: string;
  /** Overrides the URL's password (from a secret or a password file). */
  password?: string | undefined;
  /** Connections in the pool. Default 10. */
  poolSize?: number | undefined;
  /** How long connecting may take before a call fails as unavailable. Default 5000 ms. */
  connectTimeoutMs?: number | undefined;
}

/** The store, and the logins kept in the same database. */
export type PostgresStoreWithCredentials = Store & { readonly credentials: CredentialStore };

/** host:port/database of a URL: what messages may show (never the user's password). */
export function describeServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * Opens (migrating when needed) the store on a PostgreSQL database. Several processes may open one
 * database: they migrate it once between them, and claim from one queue.
 */
export async function openPostgresStore(
  options: PostgresStoreOptions,
): Promise<PostgresStoreWithCredentials> {
  const config: pg.ClientConfig = {
    connectionString: options.url,
    ...(options.password !== undefined ? { password: options.password } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: "bosun",
    // Explicit, whatever the server's default: a commit returns only once its WAL is flushed.
    options: "-c synchronous_commit=on",
  };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
  // An idle connection the server dropped (restart, failover) is discarded; the pool opens new ones.
  pool.on("error", () => undefined);
  const origin = newId();
  let listener: AcceptListener | undefined;
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const store = new PostgresStore(pool, origin, () => listener?.close() ?? Promise.resolve());
    listener = new AcceptListener(
      config,
      origin,
      (projects) => store.deliver(projects),
      (runId) => store.deliverCancel(runId),
    );
    await listener.start();
    return Object.assign(store, { credentials: new PgCredentialStore(store.runQuery) });
  } catch (err) {
    await listener?.close();
    await pool.end().catch(() => undefined);
    throw unavailable(`opening the database at ${describeServer(options.url)}`, err);
  }
}
