/**
 * Which actions of a Dispatchfile an image push triggers, and the plan of the tasks that then run.
 * Tag lists follow Dispatch: a tag matches when it matches at least one positive glob (if there is
 * any) and no `!` glob; an absent or empty list matches every tag.
 */
import { Minimatch } from "minimatch";
import { BosunError, formatProblems, type Result } from "@bosun/core";
import type { Dispatchfile } from "./model.js";
import { planTasks, type TaskPlan } from "./plan.js";

export interface ImagePush {
  /** Shown by the CLI; a project's subscriptions decide which repositories reach it. */
  repository?: string;
  /** Absent for a push by digest: only lists without positive globs match it. */
  tag?: string;
  /**
   * Every tag of an event gathered per digest (runPer: digest): an action runs when any of them
   * matches its tags, once. Absent: `tag` alone.
   */
  tags?: readonly string[];
}

export interface ImagePushMatch {
  /** Indexes into `actions` of the actions whose `on image push` accepts the tag. */
  actions: number[];
  /** The tasks those actions name and the tasks they depend on, each once, in dependency order. */
  tasks: string[];
}

export interface ImagePushPlan {
  /** Indexes into `actions` of the actions whose `on image push` accepts the tag. */
  actions: number[];
  /** The tasks those actions name and the tasks they depend on (empty when no action matches). */
  plan: TaskPlan;
}

/** The matching actions and their plan; refused (as validation refuses the file) on an unknown task or a cycle. */
export function planImagePush(dispatchfile: Dispatchfile, push: ImagePush): Result<ImagePushPlan> {
  const actions: number[] = [];
  const wanted: string[] = [];
  dispatchfile.actions.forEach((action, i) => {
    const condition = action.on.image?.push;
    const tags = push.tags && push.tags.length > 0 ? push.tags : [push.tag];
    if (condition && tags.some((tag) => tagMatches(tag, condition.tags))) {
      actions.push(i);
      wanted.push(...action.tasks);
    }
  });
  const planned = planTasks(dispatchfile, wanted);
  return planned.errors ? planned : { value: { actions, plan: planned.value } };
}

/** The plan as task names in order. The file must be valid (a loaded Dispatchfile is). */
export function matchImagePush(dispatchfile: Dispatchfile, push: ImagePush): ImagePushMatch {
  const planned = planImagePush(dispatchfile, push);
  if (planned.errors) {
    const [first] = planned.errors;
    throw new BosunError(first!.code, formatProblems(planned.errors), planned.errors);
  }
  const { actions, plan } = planned.value;
  return { actions, tasks: plan.tasks.map((t) => t.name) };
}

export function tagMatches(tag: string | undefined, globs: readonly string[] | undefined): boolean {
  if (!globs || globs.length === 0) return true;
  let positive = false;
  let matchedPositive = false;
  for (const glob of globs) {
    if (glob.startsWith("!")) {
      if (tag !== undefined && compiled(glob.slice(1)).match(tag)) return false;
    } else {
      positive = true;
      if (!matchedPositive && tag !== undefined && compiled(glob).match(tag)) matchedPositive = true;
    }
  }
  return !positive || matchedPositive;
}

const cache = new Map<string, Minimatch>();
const CACHE_LIMIT = 1_000;

/** Globs are few and repeat on every push: compile each once (bounded, for long-running servers). */
function compiled(glob: string): Minimatch {
  let m = cache.get(glob);
  if (!m) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    // As core's subscription globs: dots are ordinary characters, "!" and "#" only as handled here.
    m = new Minimatch(glob, { dot: true, nocomment: true, nonegate: true });
    cache.set(glob, m);
  }
  return m;
}
