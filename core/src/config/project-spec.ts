/**
 * A project made through the API (`bosun project add`): the same block as a project in bosun.yaml,
 * checked by the same schema and rules, with two differences. It cannot read the server's environment
 * (`${env:NAME}` is refused), and a local script or Dispatchfile must be an absolute path, since there
 * is no file for it to be relative to.
 */
import { isAbsolute } from "node:path";
import { fail, type Problem, type Result } from "../errors.js";
import { formatPath, type PathSegment } from "./locate.js";
import { parseConfig } from "./parse.js";
import type { ProjectConfig } from "./types.js";

const PREFIX = /^projects\[0\]\.?/;

export function parseProjectSpec(spec: unknown): Result<ProjectConfig> {
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) {
    return fail(problem([], "a project is an object", "an object such as a project in bosun.yaml", spec));
  }
  const problems = [...environmentReads(spec, []), ...relativeSources(spec as Record<string, unknown>)];
  if (problems.length > 0) return fail(...problems);
  const parsed = parseConfig(JSON.stringify({ projects: [spec] }), { env: {} });
  if (parsed.errors) {
    return fail(
      ...parsed.errors.map(({ file: _file, line: _line, column: _column, ...p }) => ({
        ...p,
        ...(p.path === undefined ? {} : { path: p.path.replace(PREFIX, "") }),
      })),
    );
  }
  return { value: parsed.value.projects[0]! };
}

function environmentReads(value: unknown, path: PathSegment[]): Problem[] {
  if (typeof value === "string")
    return value.includes("${env:")
      ? [
          problem(
            path,
            "a project made through the API cannot read the server's environment",
            "the value itself",
            "${env:...}",
          ),
        ]
      : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => environmentReads(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => environmentReads(v, [...path, k]));
  return [];
}

function relativeSources(spec: Record<string, unknown>): Problem[] {
  return (["script", "dispatchfile"] as const)
    .filter((k) => typeof spec[k] === "string" && !isAbsolute(spec[k]))
    .map((k) =>
      problem(
        [k],
        `a relative ${k} path has nothing to be relative to in a project made through the API`,
        "an absolute path on the server, or { git: { url, revision, path } }",
        spec[k],
      ),
    );
}

function problem(path: PathSegment[], message: string, expected: string, found: unknown): Problem {
  return {
    code: "CONFIG_INVALID",
    message,
    path: formatPath(path),
    expected,
    found: typeof found === "string" ? found : (JSON.stringify(found) ?? String(found)),
  };
}
