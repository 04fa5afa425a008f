/** The syntax tree of Dispatch's CUE dialect, before labels are folded and references resolved. */
import type { Node, Pos } from "../tree.js";
import type { Interpolation } from "./tokenizer.js";

export interface Label {
  name: string;
  pos: Pos;
  /** `"_x"` is an ordinary field; only the bare `_x` and `#X` are hidden. */
  quoted: boolean;
}

/** `a b: v` and `a: b: v` alike: the labels in order, then the value. */
export interface FieldDecl {
  labels: Label[];
  value: Expr;
}

export type Expr =
  | { kind: "literal"; node: Node }
  | { kind: "interpolation"; parts: (string | Interpolation)[]; pos: Pos }
  /** `string`, `int`, ...: a constraint, not a value; complete only when unified with a value. */
  | { kind: "type"; name: string; pos: Pos }
  | { kind: "list"; items: Expr[]; open: boolean; pos: Pos }
  | { kind: "struct"; fields: FieldDecl[]; pos: Pos }
  | { kind: "ref"; path: string[]; pos: Pos }
  | { kind: "join"; left: Expr; right: Expr; pos: Pos };

export const TYPE_NAMES = new Set(["string", "int", "float", "number", "bool", "bytes", "_"]);
