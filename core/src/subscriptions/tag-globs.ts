/**
 * Glob lists with "!" negation, as Dispatch matches tags: a value matches when it matches at least one
 * positive glob (if there is any) and no negative one; an empty list matches everything.
 */
import { minimatch } from "minimatch";

export function matchesGlobList(value: string, globs: readonly string[]): boolean {
  const negative = globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1));
  const positive = globs.filter((g) => !g.startsWith("!"));
  // Repository paths contain "/", so globs match across it only with "**"; dots are ordinary characters.
  const matches = (glob: string) => minimatch(value, glob, { dot: true, nocomment: true, nonegate: true });
  if (positive.length > 0 && !positive.some(matches)) return false;
  return !negative.some(matches);
}
