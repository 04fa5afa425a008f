import pg from "pg";

/** The channel accept transactions notify on; its payload is an AcceptNotice as JSON. */
export const ACCEPTED_CHANNEL = "bosun_events_accepted";
/** The channel a cancel of a running run notifies on; its payload is the run's id. */
export const CANCEL_CHANNEL = "bosun_run_cancel_requested";

interface AcceptNotice {
  /** The store (process) that accepted, so it does not tell its own listeners twice. */
  origin: string;
  projects: string[];
}

/** NOTIFY payloads must stay under 8000 bytes; a longer list is cut (it is a hint; polls cover the rest). */
const MAX_PAYLOAD = 7_000;

export function acceptNotice(origin: string, projects: readonly string[]): string {
  const notice: AcceptNotice = { origin, projects: [] };
  let size = JSON.stringify(notice).length;
  for (const p of projects) {
    size += JSON.stringify(p).length + 1;
    if (size > MAX_PAYLOAD) break;
    notice.projects.push(p);
  }
  return JSON.stringify(notice);
}

/** How long a lost LISTEN connection waits before reconnecting. */
const RECONNECT_MS = 1_000;

/**
 * A dedicated connection LISTENing for accepts made by other processes on the same database, and for
 * cancels of running runs. While it is down, notices are missed: consumers find the events by their
 * poll, and cancels when they renew their leases.
 */
export class AcceptListener {
  readonly #config: pg.ClientConfig;
  readonly #origin: string;
  readonly #deliver: (projects: readonly string[]) => void;
  readonly #cancel: (runId: string) => void;
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    config: pg.ClientConfig,
    origin: string,
    deliver: (projects: readonly string[]) => void,
    cancel: (runId: string) => void = () => undefined,
  ) {
    this.#config = config;
    this.#origin = origin;
    this.#deliver = deliver;
    this.#cancel = cancel;
  }

  /** Resolves once listening, or once the first attempt failed (a retry is then scheduled). */
  async start(): Promise<void> {
    if (this.#closed || this.#client) return;
    const client = new pg.Client(this.#config);
    this.#client = client;
    const lost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      if (!this.#closed) this.#retry = setTimeout(() => void this.start(), RECONNECT_MS).unref();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.channel === CANCEL_CHANNEL && message.payload) return this.#cancel(message.payload);
      if (message.channel !== ACCEPTED_CHANNEL || !message.payload) return;
      try {
        const notice = JSON.parse(message.payload) as AcceptNotice;
        if (notice.origin !== this.#origin && Array.isArray(notice.projects)) this.#deliver(notice.projects);
      } catch {
        // Not ours to judge: a malformed notice is ignored; polling still finds the events.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCEPTED_CHANNEL}`);
      await client.query(`LISTEN ${CANCEL_CHANNEL}`);
    } catch {
      lost();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
