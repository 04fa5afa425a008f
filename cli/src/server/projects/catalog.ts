/**
 * Every project a server knows: those of bosun.yaml (replaced whole when the file changes) and those
 * made through the API, read from the store when they change there. A file project wins over an
 * API-made one of the same name. Every replica re-reads the store on an interval, so a project added
 * through one is live on all within it.
 */
import type { ProjectConfig, Sealer } from "@bosun/core";
import type { Store } from "@bosun/store";
import { nextProjects } from "../config-reload/diff.js";
import type { Logger } from "../logger.js";
import { toProjectConfig } from "./stored.js";
import type { WebhookSettings } from "./webhook-settings.js";

export type ManagedBy = "file" | "api";

export interface ApiProject {
  revision: number;
  /** When the store made it: a project removed and added again is another, from revision 1. */
  createdAt: string;
  config: ProjectConfig;
  /** How its webhook is kept on the registry. */
  settings: WebhookSettings;
}

export class ProjectCatalog {
  #file: Map<string, ProjectConfig>;
  #api = new Map<string, ApiProject>();
  /** Revisions that failed to open or parse, so each is logged once. */
  readonly #refused = new Map<string, number>();
  /** Every name the store held at the last read, those that failed to open or parse included. */
  #stored: ReadonlySet<string> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(
    fileProjects: readonly ProjectConfig[],
    private readonly store: Store,
    private readonly sealer: Sealer | undefined,
    private readonly logger: Logger,
  ) {
    this.#file = new Map(fileProjects.map((p) => [p.name, p]));
  }

  get(name: string): ProjectConfig | undefined {
    return this.#file.get(name) ?? this.#api.get(name)?.config;
  }

  all(): ProjectConfig[] {
    const api = [...this.#api.values()].map((a) => a.config).filter((p) => !this.#file.has(p.name));
    return [...this.#file.values(), ...api];
  }

  /** A project made through the API that this server runs (not one bosun.yaml's of the same name hides). */
  apiProject(name: string): ApiProject | undefined {
    return this.#file.has(name) ? undefined : this.#api.get(name);
  }

  /** Every project made through the API that this server runs, by name. */
  apiProjects(): Map<string, ApiProject> {
    return new Map([...this.#api].filter(([name]) => !this.#file.has(name)));
  }

  /**
   * Whether the store holds a project of this name, usable or not; undefined before the first read.
   * (A project that cannot be opened now is still the store's: its webhook is not removed for that.)
   */
  isStored(name: string): boolean | undefined {
    return this.#stored?.has(name);
  }

  managedBy(name: string): ManagedBy | undefined {
    return this.#file.has(name) ? "file" : this.#api.has(name) ? "api" : undefined;
  }

  setFileProjects(next: readonly ProjectConfig[]): void {
    this.#file = nextProjects(this.#file, next);
  }

  /** Reads the store's projects again; concurrent callers share one read. */
  refresh(): Promise<void> {
    return (this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined)));
  }

  /** Refreshes every `intervalMs` until stopped; a store outage is logged and tried again. */
  start(intervalMs: number): void {
    const tick = () =>
      this.refresh().catch((err: Error) =>
        this.logger.warn(
          { error: err.message },
          "cannot read the projects made through the API; trying again",
        ),
      );
    void tick();
    this.#timer = setInterval(() => void tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #refresh(): Promise<void> {
    const stored = await this.store.listProjects();
    const next = new Map<string, ApiProject>();
    for (const s of stored) {
      const known = this.#api.get(s.name);
      if (known?.revision === s.revision) {
        next.set(s.name, known);
        continue;
      }
      if (this.#refused.get(s.name) === s.revision) continue;
      const parsed = await toProjectConfig(s, this.sealer).catch((err: Error) => ({
        errors: [{ message: err.message }],
      }));
      if (parsed.errors) {
        this.#refused.set(s.name, s.revision);
        this.logger.warn(
          { project: s.name, revision: s.revision, errors: parsed.errors.map((e) => e.message) },
          "a project made through the API cannot be used; fix it with bosun project update",
        );
        if (known) next.set(s.name, known);
        continue;
      }
      if (this.#file.has(s.name))
        this.logger.warn(
          { project: s.name },
          "bosun.yaml defines a project of the same name; the file's is used",
        );
      next.set(s.name, { revision: s.revision, createdAt: s.createdAt, ...parsed.value });
    }
    this.#api = next;
    this.#stored = new Set(stored.map((s) => s.name));
  }
}
