import type { Project } from "./types.js";

/** The project of the event being handled (one per isolate), for what jobs resolve against it. */
let project: Project | undefined;

export function setCurrentProject(p: Project | undefined): void {
  project = p;
}

export function currentProject(): Project | undefined {
  return project;
}
