/** `actions: [{ name, tasks, on }]` → Action, with the short git forms of `on` stored under `git`. */
import type { Action, Condition, GitCondition } from "../model.js";
import type { Node } from "../tree.js";
import type { Path, Reader, StructNode } from "./reader.js";

const GLOBS = "a list of globs";
const CONDITIONS = "one of image, git, push, tag, pull_request, release, cron";

export function lowerAction(read: Reader, node: Node, path: Path, index: number): Action | undefined {
  const struct = read.struct(node, path, "an action: { tasks: [...], on: {...} }");
  if (!struct) return undefined;
  const action: Action = { tasks: [], on: {} };
  read.fields(struct, path, {
    name: (v, p) => {
      const name = read.string(v, p);
      if (name !== undefined) action.name = name;
    },
    tasks: (v, p) => {
      action.tasks = read.stringList(v, p, "a list of task names") ?? [];
      if (v.kind === "list" && v.items.length === 0)
        read.problem(
          "DISPATCHFILE_INVALID",
          v.pos,
          p,
          `action ${index + 1} names no tasks`,
          "at least one task name",
        );
    },
    on: (v, p) => {
      const on = read.struct(v, p, `a condition: ${CONDITIONS}`);
      if (on) action.on = lowerCondition(read, on, p);
    },
  });
  if (!struct.fields.has("tasks"))
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.pos,
      path,
      `action ${index + 1} has no tasks`,
      'tasks: ["<task name>", ...]',
    );
  // Dispatch reads such an action and never triggers it; refusing the whole file would stop the others.
  if (!struct.fields.has("on"))
    read.warn(
      struct.pos,
      path,
      `action ${index + 1} has no "on" condition, so nothing triggers it; add on image push: { tags: [...] } (or a git or cron condition)`,
    );
  return action;
}

function lowerCondition(read: Reader, on: StructNode, path: Path): Condition {
  const condition: Condition = {};
  const git: GitCondition = {};
  const gitForms = {
    push: (v: Node, p: Path) => (git.push = globs(read, v, p, ["branches", "paths"])),
    tag: (v: Node, p: Path) => (git.tag = globs(read, v, p, ["names"])),
    pull_request: (v: Node, p: Path) =>
      (git.pull_request = globs(read, v, p, [
        "chatops",
        "paths",
        "sources",
        "targets",
        "branches",
        "labels",
      ])),
    release: (v: Node, p: Path) => (git.release = globs(read, v, p, ["tags"])),
  };
  read.fields(on, path, {
    ...gitForms,
    git: (v, p) => {
      const struct = read.struct(v, p, "{ push, tag, pull_request, release }");
      if (struct) read.fields(struct, p, gitForms);
    },
    image: (v, p) => {
      const image = read.struct(v, p, "{ push: { tags: [...] } }");
      if (!image) return;
      read.fields(image, p, {
        push: (pv, pp) => (condition.image = { push: globs(read, pv, pp, ["tags"]) }),
      });
      if (!image.fields.has("push"))
        read.problem(
          "DISPATCHFILE_INVALID",
          image.pos,
          p,
          'image condition without "push"',
          "image push: { tags: [...] }",
        );
    },
    cron: (v, p) => {
      const cron = read.struct(v, p, '{ schedule: "@daily" }');
      if (!cron) return;
      let schedule = "";
      let revision: string | undefined;
      let deprecatedRevision: string | undefined;
      read.fields(cron, p, {
        schedule: (sv, sp) => (schedule = read.string(sv, sp, 'a cron schedule such as "@daily"') ?? ""),
        git: (gv, gp) => {
          const g = read.struct(gv, gp, "{ revision }");
          if (g) read.fields(g, gp, { revision: (rv, rp) => (revision = read.string(rv, rp)) });
        },
        // Dispatch's older spelling of `git: revision:`, still documented and used.
        revision: (rv, rp) => (deprecatedRevision = read.string(rv, rp, "a branch, tag or commit")),
      });
      revision ??= deprecatedRevision;
      if (!cron.fields.has("schedule"))
        read.problem(
          "DISPATCHFILE_INVALID",
          cron.pos,
          p,
          "cron condition without a schedule",
          'schedule: "@daily"',
        );
      condition.cron = revision === undefined ? { schedule } : { schedule, git: { revision } };
    },
  });
  if (Object.keys(git).length > 0) condition.git = git;
  if (on.fields.size === 0)
    read.problem("DISPATCHFILE_INVALID", on.pos, path, 'empty "on" condition', CONDITIONS);
  return condition;
}

/** A condition struct whose fields are glob lists; `push:` with nothing (YAML null) means no filter. */
function globs(read: Reader, node: Node, path: Path, keys: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (node.kind === "null") return out;
  const struct = read.struct(node, path, `{ ${keys.join(", ")} }`);
  if (!struct) return out;
  const handlers = Object.fromEntries(
    keys.map((key) => [
      key,
      (v: Node, p: Path) => {
        const list = read.stringList(v, p, key === "tags" ? "a list of tag globs" : GLOBS);
        if (list !== undefined) out[key] = list;
      },
    ]),
  );
  read.fields(struct, path, handlers);
  return out;
}
