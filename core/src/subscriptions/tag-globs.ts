/**
 * Glob lists with "!" negation, as Dispatch matches tags: a value matches when it matches at least one
 * positive glob (if there is any) and no negative one; an empty list matches everything.
 */
import { minimatch } from "minimatch";

export function matchesGlobList(value: string, globs: readonly string[]): boolean {
  return globListMisses(value, globs) === undefined;
}

/**
 * Why `value` misses the list, as the end of a sentence ("does not match team/app*", "excluded by
 * !*-rc*"); undefined when it matches.
 */
export function globListMisses(value: string, globs: readonly string[]): string | undefined {
  const negative = globs.filter((g) => g.startsWith("!"));
  const positive = globs.filter((g) => !g.startsWith("!"));
  // Repository paths contain "/", so globs match across it only with "**"; dots are ordinary characters.
  const matches = (glob: string) => minimatch(value, glob, { dot: true, nocomment: true, nonegate: true });
  if (positive.length > 0 && !positive.some(matches)) return `does not match ${orList(positive)}`;
  const excluding = negative.find((g) => matches(g.slice(1)));
  return excluding === undefined ? undefined : `excluded by ${excluding}`;
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
