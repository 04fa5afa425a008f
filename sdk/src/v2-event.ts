/** Builds the v2 `Event` a handler registered with `events.on(source, type, fn)` receives. */
import type { BrigadeEvent, Project } from "./types.js";
import type { Event, V2EventInit } from "./v2-types.js";

/** Where v2's worker found its config files; Bosun reads the script from the project's folder. */
const CONFIG_FILES_DIRECTORY = ".brigade";

export function makeV2Event(init: V2EventInit, v1: BrigadeEvent, project: Project): Event {
  const event: Event = {
    id: init.id,
    project: { id: project.id, secrets: { ...project.secrets } },
    source: init.source,
    type: init.type,
    payload: v1.payload,
    // No API address, and never the admin token: a script reaches Bosun only through the SDK.
    worker: { apiToken: "", configFilesDirectory: CONFIG_FILES_DIRECTORY, defaultConfigFiles: {} },
  };
  if (init.qualifiers) event.qualifiers = { ...init.qualifiers };
  if (init.labels) event.labels = { ...init.labels };
  if (init.shortTitle !== undefined) event.shortTitle = init.shortTitle;
  if (init.longTitle !== undefined) event.longTitle = init.longTitle;
  const commit = v1.revision.commit;
  if (commit !== undefined) event.worker.git = { commit, ref: v1.revision.ref };
  return event;
}
