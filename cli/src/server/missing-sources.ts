/**
 * Scripts and Dispatchfiles named by path that are not there when the server starts. Not an error:
 * the file may be put in place later (it is read for every event), but until then every run of the
 * project fails, so the operator hears of it at start rather than from the first failed run.
 */
import { existsSync } from "node:fs";
import type { ProjectConfig } from "@bosun/core";

export interface MissingSource {
  project: string;
  kind: "script" | "dispatchfile";
  path: string;
}

export function missingSources(projects: readonly ProjectConfig[]): MissingSource[] {
  const missing: MissingSource[] = [];
  for (const project of projects) {
    for (const kind of ["script", "dispatchfile"] as const) {
      const source = project[kind];
      if (source && "path" in source && !existsSync(source.path))
        missing.push({ project: project.name, kind, path: source.path });
    }
  }
  return missing;
}
