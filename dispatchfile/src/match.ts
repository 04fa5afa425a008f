/**
 * Which actions of a Dispatchfile an image push triggers, and which tasks then run, in order.
 * Tag lists follow Dispatch: a tag matches when it matches at least one positive glob (if there is
 * any) and no `!` glob; an absent or empty list matches every tag.
 */
import { Minimatch } from "minimatch";
import { orderTasks, taskPrerequisites } from "./graph.js";
import type { Dispatchfile } from "./model.js";

export interface ImagePush {
  /** Shown by the CLI; a project's subscriptions decide which repositories reach it. */
  repository?: string;
  /** Absent for a push by digest: only lists without positive globs match it. */
  tag?: string;
}

export interface ImagePushMatch {
  /** Indexes into `actions` of the actions whose `on image push` accepts the tag. */
  actions: number[];
  /** The tasks those actions name and the tasks they depend on, each once, in dependency order. */
  tasks: string[];
}

export function matchImagePush(dispatchfile: Dispatchfile, push: ImagePush): ImagePushMatch {
  const actions: number[] = [];
  const wanted: string[] = [];
  dispatchfile.actions.forEach((action, i) => {
    const condition = action.on.image?.push;
    if (condition && tagMatches(push.tag, condition.tags)) {
      actions.push(i);
      wanted.push(...action.tasks);
    }
  });
  if (actions.length === 0) return { actions, tasks: [] };
  return { actions, tasks: orderTasks(taskPrerequisites(dispatchfile), wanted) };
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
