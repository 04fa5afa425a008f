/**
 * The positioned value tree every format is read into (CUE after evaluation, JSON, YAML), so one
 * lowering step turns any of them into the model with the same messages and locations.
 */

export interface Pos {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Field {
  /** Where the key is written (for CUE's folded labels, the label that named it). */
  key: Pos;
  value: Node;
}

export type Node =
  | { kind: "string"; value: string; pos: Pos }
  | { kind: "number"; value: number; pos: Pos }
  | { kind: "bool"; value: boolean; pos: Pos }
  | { kind: "null"; pos: Pos }
  | { kind: "list"; items: Node[]; pos: Pos }
  | { kind: "struct"; fields: Map<string, Field>; pos: Pos };

/** A syntax or evaluation error: stops reading the file. Caught once, at the top of the parse. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
    readonly expected: string,
    readonly found: string,
    readonly unsupported = false,
  ) {
    super(message);
    this.name = "SourceError";
  }
}

/** A short rendering of a value for "found ..." in messages. */
export function describeNode(node: Node): string {
  switch (node.kind) {
    case "string":
      return clip(JSON.stringify(node.value));
    case "number":
    case "bool":
      return String(node.value);
    case "null":
      return "null";
    case "list":
      return `a list (${node.items.length} item${node.items.length === 1 ? "" : "s"})`;
    case "struct":
      return `a struct (${[...node.fields.keys()].slice(0, 3).join(", ")}${node.fields.size > 3 ? ", ..." : ""})`;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s;
}
