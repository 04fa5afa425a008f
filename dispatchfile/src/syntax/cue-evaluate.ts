/**
 * Evaluates a parsed CUE file into the positioned value tree: folded labels become nested structs,
 * repeated fields merge (structs field by field, equal values once, top-level lists named in
 * `concatenate` end to end), references resolve lexically, `+` joins lists and strings. Fields are
 * evaluated only when the schema reads them, so helper fields nobody uses may stay incomplete.
 */
import { SourceError, describeNode, type Field, type Node, type Pos } from "../tree.js";
import type { Expr, FieldDecl } from "./cue-ast.js";

type Value =
  | { kind: "node"; node: Node }
  | { kind: "type"; name: string; pos: Pos }
  | { kind: "list"; items: Value[]; open: boolean; pos: Pos }
  | Struct;

interface Scope {
  struct: Struct;
  parent: Scope | undefined;
}

/** One declaration of a field; `depth` says which of the folded labels it stands at. */
interface Decl {
  field: FieldDecl;
  depth: number;
  scope: Scope;
}

const NONE: ReadonlySet<string> = new Set();

class Struct {
  readonly kind = "struct";
  readonly decls = new Map<string, Decl[]>();
  /** Hidden fields (`_x`) and definitions (`#X`): referable, never part of the value. */
  readonly hidden = new Set<string>();
  private readonly values = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  constructor(
    readonly pos: Pos,
    private readonly concatenate: ReadonlySet<string> = NONE,
  ) {}

  declare(decl: Decl): void {
    const label = decl.field.labels[decl.depth]!;
    const name = label.name;
    if (!label.quoted && (name.startsWith("_") || name.startsWith("#"))) this.hidden.add(name);
    const list = this.decls.get(name);
    if (list) list.push(decl);
    else this.decls.set(name, [decl]);
  }

  keyPos(name: string): Pos {
    const first = this.decls.get(name)![0]!;
    return first.field.labels[first.depth]!.pos;
  }

  get(name: string, at: Pos): Value | undefined {
    const cached = this.values.get(name);
    if (cached) return cached;
    const decls = this.decls.get(name);
    if (!decls) return undefined;
    if (this.evaluating.has(name))
      throw new SourceError(
        `reference cycle through "${name}"`,
        at,
        "a value that does not refer to itself",
        name,
      );
    this.evaluating.add(name);
    try {
      let value = evalDecl(decls[0]!);
      for (const decl of decls.slice(1))
        value = unify(value, evalDecl(decl), name, this.concatenate.has(name));
      this.values.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }
}

/**
 * The file's top-level struct with the fields in `schema` evaluated; other fields appear as `null`
 * at their label (the lowering warns about them) and hidden ones (`_x`, `#X`) not at all.
 */
export function evaluateCue(
  file: Expr & { kind: "struct" },
  schema: ReadonlySet<string>,
  concatenate: ReadonlySet<string>,
): Node {
  const root = new Struct(file.pos, concatenate);
  const scope: Scope = { struct: root, parent: undefined };
  for (const field of file.fields) root.declare({ field, depth: 0, scope });
  const fields = new Map<string, Field>();
  for (const name of root.decls.keys()) {
    if (root.hidden.has(name)) continue;
    const key = root.keyPos(name);
    fields.set(name, {
      key,
      value: schema.has(name) ? materialize(root.get(name, key)!) : { kind: "null", pos: key },
    });
  }
  return { kind: "struct", fields, pos: file.pos };
}

function evalDecl(decl: Decl): Value {
  const { field, depth } = decl;
  if (depth === field.labels.length - 1) return evalExpr(field.value, decl.scope);
  // `a b: v` is `a: { b: v }`: a struct holding the rest of the labels.
  const nested = new Struct(field.labels[depth + 1]!.pos);
  nested.declare({ field, depth: depth + 1, scope: { struct: nested, parent: decl.scope } });
  return nested;
}

function evalExpr(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case "literal":
      return { kind: "node", node: expr.node };
    case "type":
      return expr;
    case "list":
      return {
        kind: "list",
        items: expr.items.map((e) => evalExpr(e, scope)),
        open: expr.open,
        pos: expr.pos,
      };
    case "struct": {
      const struct = new Struct(expr.pos);
      const inner: Scope = { struct, parent: scope };
      for (const field of expr.fields) struct.declare({ field, depth: 0, scope: inner });
      return struct;
    }
    case "ref":
      return resolve(expr.path, expr.pos, scope);
    case "interpolation": {
      const text = expr.parts
        .map((part) =>
          typeof part === "string"
            ? part
            : scalarText(resolve(part.path, part.pos, scope), part.path, part.pos),
        )
        .join("");
      return { kind: "node", node: { kind: "string", value: text, pos: expr.pos } };
    }
    case "join":
      return join(evalExpr(expr.left, scope), evalExpr(expr.right, scope), expr.pos);
  }
}

function resolve(path: string[], pos: Pos, scope: Scope): Value {
  const [name, ...selectors] = path as [string, ...string[]];
  let found: Value | undefined;
  for (let s: Scope | undefined = scope; s && found === undefined; s = s.parent)
    found = s.struct.get(name, pos);
  if (found === undefined)
    throw new SourceError(`undefined reference "${name}"`, pos, "a field defined in this file", name);
  let value: Value = found;
  for (const [i, sel] of selectors.entries()) {
    const next: Value | undefined = value.kind === "struct" ? value.get(sel, pos) : undefined;
    if (next === undefined) {
      const prefix = path.slice(0, i + 1).join(".");
      throw new SourceError(
        `undefined reference "${path.join(".")}"`,
        pos,
        `a field "${sel}" in ${prefix}`,
        describe(value),
      );
    }
    value = next;
  }
  return value;
}

function scalarText(value: Value, path: string[], pos: Pos): string {
  if (
    value.kind === "node" &&
    value.node.kind !== "list" &&
    value.node.kind !== "struct" &&
    value.node.kind !== "null"
  )
    return String(value.node.value);
  throw new SourceError(
    `cannot interpolate "${path.join(".")}"`,
    pos,
    "a string, number or bool",
    describe(value),
  );
}

function join(left: Value, right: Value, pos: Pos): Value {
  if (left.kind === "list" && right.kind === "list")
    return { kind: "list", items: [...left.items, ...right.items], open: right.open, pos: left.pos };
  if (left.kind === "node" && right.kind === "node") {
    const l = left.node;
    const r = right.node;
    if (l.kind === "string" && r.kind === "string")
      return { kind: "node", node: { kind: "string", value: l.value + r.value, pos: l.pos } };
    if (l.kind === "number" && r.kind === "number")
      return { kind: "node", node: { kind: "number", value: l.value + r.value, pos: l.pos } };
  }
  throw new SourceError(
    'cannot join these values with "+"',
    pos,
    "two lists, two strings or two numbers",
    `${describe(left)} + ${describe(right)}`,
  );
}

const TYPE_OF: Record<string, Node["kind"][]> = {
  string: ["string"],
  bytes: ["string"],
  int: ["number"],
  float: ["number"],
  number: ["number"],
  bool: ["bool"],
};

function unify(a: Value, b: Value, name: string, concatenate: boolean): Value {
  if (a.kind === "type" && a.name === "_") return b;
  if (b.kind === "type" && b.name === "_") return a;
  if (a.kind === "type" && b.kind === "node" && TYPE_OF[a.name]?.includes(b.node.kind)) return b;
  if (b.kind === "type" && a.kind === "node" && TYPE_OF[b.name]?.includes(a.node.kind)) return a;
  if (a.kind === "type" && b.kind === "type" && a.name === b.name) return a;
  if (a.kind === "struct" && b.kind === "struct") {
    const merged = new Struct(a.pos);
    for (const s of [a, b]) for (const decls of s.decls.values()) for (const d of decls) merged.declare(d);
    return merged;
  }
  if (a.kind === "list" && b.kind === "list") {
    if (concatenate) return { kind: "list", items: [...a.items, ...b.items], open: b.open, pos: a.pos };
    if (a.open && a.items.length === 0) return b;
    if (b.open && b.items.length === 0) return a;
  }
  if (a.kind !== "type" && b.kind !== "type" && a.kind !== "struct" && b.kind !== "struct") {
    if (JSON.stringify(plain(materialize(a))) === JSON.stringify(plain(materialize(b)))) return a;
  }
  const at = valuePos(a);
  throw new SourceError(
    `conflicting values for "${name}"`,
    valuePos(b),
    `the value given at line ${at.line}, column ${at.column} (${describe(a)})`,
    describe(b),
  );
}

function materialize(value: Value): Node {
  switch (value.kind) {
    case "node":
      return value.node;
    case "type":
      throw new SourceError(
        `incomplete value: ${value.name}`,
        value.pos,
        `a concrete ${value.name === "_" ? "value" : value.name}`,
        value.name,
      );
    case "list":
      return { kind: "list", items: value.items.map(materialize), pos: value.pos };
    case "struct": {
      const fields = new Map<string, Field>();
      for (const name of value.decls.keys()) {
        if (value.hidden.has(name)) continue;
        const key = value.keyPos(name);
        fields.set(name, { key, value: materialize(value.get(name, key)!) });
      }
      return { kind: "struct", fields, pos: value.pos };
    }
  }
}

function plain(node: Node): unknown {
  if (node.kind === "list") return node.items.map(plain);
  if (node.kind === "struct")
    return Object.fromEntries([...node.fields].map(([k, f]) => [k, plain(f.value)]));
  return node.kind === "null" ? null : node.value;
}

function valuePos(value: Value): Pos {
  return value.kind === "node" ? value.node.pos : value.pos;
}

function describe(value: Value): string {
  if (value.kind === "node") return describeNode(value.node);
  if (value.kind === "type") return value.name;
  if (value.kind === "list")
    return `a list (${value.items.length} item${value.items.length === 1 ? "" : "s"})`;
  return "a struct";
}
