/** Reads a running server's API the way the CLI does, and waits for runs to finish. */
import type { JobRecord, LogEntry, Run } from "@bosun/core";
import type { StoredEvent } from "@bosun/store";

export type RunWithJobs = Run & { jobs: JobRecord[] };

export class ApiHelper {
  constructor(
    readonly url: string,
    private readonly token: () => string,
  ) {}

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      headers: { authorization: `Bearer ${this.token()}` },
    });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async events(project?: string): Promise<StoredEvent[]> {
    return (await this.get<{ events: StoredEvent[] }>(`/events${project ? `?project=${project}` : ""}`))
      .events;
  }

  async runs(query = ""): Promise<Run[]> {
    return (await this.get<{ runs: Run[] }>(`/runs${query}`)).runs;
  }

  run(id: string): Promise<RunWithJobs> {
    return this.get<RunWithJobs>(`/runs/${id}`);
  }

  async logs(runId: string, job?: string): Promise<string> {
    const r = await this.get<{ logs: LogEntry[] }>(
      `/runs/${runId}/logs?limit=1000${job ? `&job=${job}` : ""}`,
    );
    return r.logs.map((l) => l.text).join("");
  }

  /** Waits until `count` runs matched by `query` have finished; returns all its runs, newest first. */
  finishedRuns(query: string, count = 1, timeoutMs = 60_000): Promise<RunWithJobs[]> {
    return this.runsWhen(
      query,
      (runs) => runs.filter((r) => r.status !== "running").length >= count,
      timeoutMs,
    );
  }

  /** Waits until the runs matched by `query` satisfy `done`; returns them with their jobs, newest first. */
  async runsWhen(query: string, done: (runs: Run[]) => boolean, timeoutMs = 60_000): Promise<RunWithJobs[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const runs = await this.runs(query);
      if (done(runs)) return Promise.all(runs.map((r) => this.run(r.id)));
      if (Date.now() > until)
        throw new Error(`timed out waiting for runs of ${query}; have ${JSON.stringify(runs)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
