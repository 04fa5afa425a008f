/** Maps a path inside a parsed YAML/JSON document back to its line and column, for error messages. */
import { isMap, isNode, isPair, isScalar, type Document, type LineCounter } from "yaml";

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
    "",
  );
}

/** Line and column of the deepest node along `path` that exists; with `key`, of that key in the map at `path`. */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PathSegment[],
  key?: string,
): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isNode(pair.key) && pair.key.range) return position(lines, pair.key.range[0]);
    }
    if (isNode(node) && node.range) return position(lines, node.range[0]);
  }
  return undefined;
}

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
