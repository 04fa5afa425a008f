/**
 * Typed reading of the positioned value tree: every mismatch becomes a located problem (reading goes
 * on, so one check reports them all), unknown fields become warnings, and the position of every name
 * read is kept for the reference checks that follow.
 */
import { type ErrorCode, type Problem, formatPath, type PathSegment } from "@bosun/core";
import type { JsonValue } from "../model.js";
import { describeNode, type Field, type Node, type Pos } from "../tree.js";

export type Path = readonly PathSegment[];
export type StructNode = Node & { kind: "struct" };
export type FieldHandlers = Record<string, (value: Node, path: Path) => void>;

export class Reader {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];
  /** Formatted path → where it is written: a field's key, or a list item. */
  readonly locations = new Map<string, Pos>();

  constructor(private readonly file: string | undefined) {}

  problem(
    code: ErrorCode,
    pos: Pos,
    path: Path,
    message: string,
    expected?: string,
    found?: string,
  ): undefined {
    const p: Problem = { code, message, file: this.file, line: pos.line, column: pos.column };
    if (path.length > 0) p.path = formatPath(path);
    if (expected !== undefined) p.expected = expected;
    if (found !== undefined) p.found = found;
    if (p.file === undefined) delete p.file;
    this.problems.push(p);
    return undefined;
  }

  warn(pos: Pos, path: Path, message: string): void {
    const w: Problem = {
      code: "DISPATCHFILE_UNSUPPORTED",
      message,
      path: formatPath(path),
      line: pos.line,
      column: pos.column,
    };
    if (this.file !== undefined) w.file = this.file;
    this.warnings.push(w);
  }

  wrongType(node: Node, path: Path, expected: string): undefined {
    return this.problem(
      "DISPATCHFILE_INVALID",
      node.pos,
      path,
      `wrong type for ${fieldName(path)}`,
      expected,
      describeNode(node),
    );
  }

  locate(path: Path, pos: Pos): void {
    this.locations.set(formatPath(path), pos);
  }

  struct(node: Node, path: Path, expected: string): StructNode | undefined {
    return node.kind === "struct" ? node : this.wrongType(node, path, expected);
  }

  /** Calls the handler of each known field; warns about the others unless `ignore` lists them. */
  fields(node: StructNode, path: Path, handlers: FieldHandlers, ignore: readonly string[] = []): void {
    for (const [name, field] of node.fields) {
      const fieldPath = [...path, name];
      this.locate(fieldPath, field.key);
      if (Object.hasOwn(handlers, name)) handlers[name]!(field.value, fieldPath);
      else if (!ignore.includes(name)) this.warn(field.key, fieldPath, `unknown field "${name}"; ignored`);
    }
  }

  /** The entries of a struct of named things (`task: { name: {...} }`), in file order. */
  entries(node: Node, path: Path, expected: string): [string, Field, Path][] {
    const struct = this.struct(node, path, expected);
    if (!struct) return [];
    return [...struct.fields].map(([name, field]) => {
      const p = [...path, name];
      this.locate(p, field.key);
      return [name, field, p];
    });
  }

  string(node: Node, path: Path, expected = "a string"): string | undefined {
    return node.kind === "string" ? node.value : this.wrongType(node, path, expected);
  }

  bool(node: Node, path: Path): boolean | undefined {
    return node.kind === "bool" ? node.value : this.wrongType(node, path, "true or false");
  }

  /** A list of strings; `null` (YAML's `tags:` with nothing after it) reads as absent. */
  stringList(node: Node, path: Path, expected: string): string[] | undefined {
    if (node.kind === "null") return undefined;
    if (node.kind !== "list") return this.wrongType(node, path, expected);
    const out: string[] = [];
    node.items.forEach((item, i) => {
      this.locate([...path, i], item.pos);
      const s = this.string(item, [...path, i], "a string (quote numbers and booleans)");
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  list(node: Node, path: Path, expected: string): [Node, Path][] {
    if (node.kind === "null") return [];
    if (node.kind !== "list") return this.wrongType(node, path, expected) ?? [];
    return node.items.map((item, i) => {
      this.locate([...path, i], item.pos);
      return [item, [...path, i]];
    });
  }
}

/** The field a path ends at, with any list indexes after it: "tags[0]". */
function fieldName(path: Path): string {
  let start = path.length - 1;
  while (start > 0 && typeof path[start] === "number") start--;
  return path.length === 0 ? "the file" : formatPath(path.slice(start));
}

/** Plain JSON for the parts of a file Bosun keeps as written (volume sources). */
export function toJson(node: Node): JsonValue {
  switch (node.kind) {
    case "list":
      return node.items.map(toJson);
    case "struct":
      return Object.fromEntries([...node.fields].map(([k, f]) => [k, toJson(f.value)]));
    case "null":
      return null;
    default:
      return node.value;
  }
}

/** Sets an own property even for names like "__proto__", which plain assignment would not. */
export function defineEntry<T>(record: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}
