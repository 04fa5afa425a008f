/** Brigade v2's event, as `@brigadecore/brigadier` 2.x hands it to `events.on(source, type, fn)`. */

/** The project a v2 handler sees: its id and secrets. */
export interface V2Project {
  id: string;
  secrets: Record<string, string>;
}

export interface GitConfig {
  cloneURL?: string;
  commit?: string;
  ref?: string;
  initSubmodules?: boolean;
}

/** What v2's worker knew of itself. Bosun hands scripts no API address or token of its own. */
export interface Worker {
  apiAddress?: string;
  /** Always "": the admin token never reaches a script. */
  apiToken?: string;
  configFilesDirectory: string;
  defaultConfigFiles: Record<string, string>;
  git?: GitConfig;
}

export interface Event {
  id: string;
  project: V2Project;
  /** The gateway that made it, e.g. "brigade.sh/dockerhub" or "brigade.sh/cli". */
  source: string;
  /** Source-specific: "push" for a registry push, "exec" for `bosun event create`'s default. */
  type: string;
  qualifiers?: Record<string, string>;
  labels?: Record<string, string>;
  shortTitle?: string;
  longTitle?: string;
  /** The body as received (v2's gateways sent it as a string). */
  payload?: string;
  worker: Worker;
}

/** A v2 handler: one per (source, type); the value it resolves with is not used. */
export type V2EventHandler = (event: Event) => unknown;

/** The v2 view of the event as the runtime hands it over: absent, no v2 handler runs. */
export interface V2EventInit {
  id: string;
  source: string;
  type: string;
  qualifiers?: Record<string, string>;
  labels?: Record<string, string>;
  shortTitle?: string;
  longTitle?: string;
}
