/**
 * Tag policies as Flux's ImagePolicy selects the latest tag: tags are filtered by a pattern, a value
 * is extracted from the match, and values are ordered as semantic versions, alphabetically or as
 * numbers. Bosun keeps the best tag seen per repository and takes a push only when it becomes the
 * new best, so one policy decides both "does this tag take part" and "is it newer".
 */
import semver from "semver";
import type { TagPolicy } from "../config/types.js";

/** The longest tag an OCI registry takes; it also bounds the pattern's retries (checked to be linear). */
export const MAX_TAG = 128;

export interface CompiledTagPolicy {
  policy: TagPolicy;
  regex?: RegExp;
}

/** Go's named groups `(?P<name>...)`, as Flux users write them, in JavaScript's spelling `(?<name>...)`. */
export function javascriptPattern(pattern: string): string {
  return pattern.replace(/(?<!\\)\(\?P</g, "(?<");
}

export function compileTagPolicy(policy: TagPolicy): CompiledTagPolicy {
  return policy.pattern === undefined
    ? { policy }
    : { policy, regex: new RegExp(javascriptPattern(policy.pattern)) };
}

/**
 * Go's regexp.Expand, as Flux applies `extract`: `$name`, `${name}`, `$1` become the group's text (empty
 * when it did not take part or does not exist), `$$` a dollar; a `$` that starts none of these stays.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = braced ? null : /^[A-Za-z0-9_]+/.exec(rest);
    const name = braced?.[1] ?? bare?.[0];
    if (name === undefined) {
      out += "$";
      continue;
    }
    out += /^[0-9]+$/.test(name) ? (match[Number(name)] ?? "") : (match.groups?.[name] ?? "");
    i += (braced ?? bare)![0].length;
  }
  return out;
}

const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export type PolicyValue = { value: string } | { reason: string };

/** The value the tag is ordered by, or why the policy leaves the tag out. */
export function policyValue(compiled: CompiledTagPolicy, tag: string): PolicyValue {
  const { policy, regex } = compiled;
  if (tag.length > MAX_TAG) return { reason: `the tag is longer than ${MAX_TAG} characters` };
  let value = tag;
  if (regex) {
    const match = regex.exec(tag);
    if (!match) return { reason: `${tag} does not match the policy's pattern ${policy.pattern}` };
    if (policy.extract !== undefined) value = expandTemplate(policy.extract, match);
  }
  switch (policy.order) {
    case "semver": {
      const version = semver.valid(semver.clean(value));
      if (!version) return { reason: `${describe(tag, value)} is not a semantic version` };
      const range = policy.range ?? "*";
      if (!semver.satisfies(version, range))
        return { reason: `${describe(tag, value)} is outside the range ${range}` };
      return { value: version };
    }
    case "numerical":
      return NUMBER.test(value) ? { value } : { reason: `${describe(tag, value)} is not a number` };
    case "alphabetical":
      return { value };
  }
}

function describe(tag: string, value: string): string {
  return tag === value ? tag : `${tag} (extracted ${JSON.stringify(value)})`;
}

/** Positive when value `a` ranks above `b` under the policy (its direction applied). */
export function compareValues(policy: TagPolicy, a: string, b: string): number {
  let order: number;
  if (policy.order === "semver") order = semver.compare(a, b);
  else if (policy.order === "numerical") order = Math.sign(Number(a) - Number(b));
  else order = a < b ? -1 : a > b ? 1 : 0;
  return policy.direction === "desc" ? -order : order;
}

export type TagJudgement = { take: true } | { take: false; reason: string };

/**
 * Whether `tag` becomes the best tag, given the best one known so far: only a tag that ranks strictly
 * above it does, so a re-push of the best tag or of an older one is not taken.
 */
export function judgeTag(compiled: CompiledTagPolicy, tag: string, best: string | undefined): TagJudgement {
  const candidate = policyValue(compiled, tag);
  if ("reason" in candidate) return { take: false, reason: candidate.reason };
  if (best === undefined) return { take: true };
  const current = policyValue(compiled, best);
  if ("reason" in current) return { take: true };
  const order = compareValues(compiled.policy, candidate.value, current.value);
  if (order > 0) return { take: true };
  if (tag === best) return { take: false, reason: `${tag} is already the best tag` };
  const bySemver = compiled.policy.order === "semver";
  const words =
    order === 0
      ? bySemver
        ? "is the same version as"
        : "ranks the same as"
      : bySemver
        ? "is older than"
        : "ranks below";
  return { take: false, reason: `${tag} ${words} the best tag ${best}` };
}
